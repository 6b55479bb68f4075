"""Real rows of the bundled dataset, converted from the published files in ``data/raw``.

Each function reads one raw file and returns rows in the data contract, every row keeping
the key of its source (described in ``sources.csv``). Nothing here is estimated; where a figure
is derived (a product or a sum of published figures) its source says so.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from analysis.core.writing import write_atomic
from analysis.data.contract import RAW_DIR

MILLION = 1_000_000
PROVINCE_ALIASES = {"DKI Jakarta": "Daerah Khusus Ibukota Jakarta", "DI Yogyakarta": "Daerah Istimewa Yogyakarta"}

# Sources of the real rows: key -> (title, url, licence, English title, English licence). Titles are
# data text; the English columns (judul_en, lisensi_en) are what English pages show.
SOURCE_TABLE_COLUMNS = ["sumber", "judul", "url", "lisensi", "judul_en", "lisensi_en"]
SOURCES: dict[str, tuple[str, str, str, str, str]] = {
    "kemnaker-provinsi-2023-12": (
        "Kemnaker Satu Data: peserta aktif BPJS Ketenagakerjaan per provinsi dan segmen, Desember 2023 "
        "(diketik ulang di GitHub alifinaaulia/tetris4_capstone_project)",
        "https://satudata.kemnaker.go.id/data/kumpulan-data/1726",
        "statistik pemerintah; repositori tanpa lisensi",
        "Kemnaker Satu Data: BPJS Ketenagakerjaan active participants by province and segment, December 2023 (re-typed in GitHub alifinaaulia/tetris4_capstone_project)",
        "government statistics; repository without a licence",
    ),
    "kemnaker-nasional-bulanan": (
        "Kemnaker Satu Data: peserta terdaftar × persen aktif, bulanan Des 2022 - Des 2024 "
        "(turunan: peserta aktif = terdaftar × % aktif, ±0,01 juta)",
        "https://satudata.kemnaker.go.id/data/kumpulan-data/1339",
        "statistik pemerintah",
        "Kemnaker Satu Data: registered participants × percent active, monthly Dec 2022 - Dec 2024 (derived: active = registered × % active, ±0.01 million)",
        "government statistics",
    ),
    "bpjstk-rdp-dpr-2021": (
        "Dirut BPJS Ketenagakerjaan, RDP Komisi IX DPR 15/9/2021 (Tribunnews), peserta aktif nasional",
        "https://m.tribunnews.com/amp/bisnis/2021/09/15/peserta-bpjs-ketenagakerjaan-turun-hampir-5-juta-sejak-muncul-covid-19",
        "kutipan berita",
        "President Director of BPJS Ketenagakerjaan, DPR Commission IX hearing 15/9/2021 (Tribunnews), national active participants",
        "news quotation",
    ),
    "tnp2k-2020": (
        "TNP2K mengutip BPJS Ketenagakerjaan: peserta aktif PU dan BPU 2020",
        "https://tnp2k.go.id/index.php/articles/encouraging-inclusiveness-of-employment-social-security-for-informal-workers",
        "kutipan",
        "TNP2K quoting BPJS Ketenagakerjaan: active PU and BPU participants 2020",
        "quotation",
    ),
    "databoks-2025-02": (
        "Databoks (Katadata): peserta aktif BPJS Ketenagakerjaan Februari 2025",
        "https://databoks.katadata.co.id/index.php/ketenagakerjaan/statistik/67f5ed64a9a66/provinsi-dengan-peserta-aktif-bpjs-tk-terbanyak-pada-februari-2025",
        "kutipan berita",
        "Databoks (Katadata): BPJS Ketenagakerjaan active participants, February 2025",
        "news quotation",
    ),
    "liputan6-2024-08-27": (
        "Liputan6.com, 'BPJS Ketenagakerjaan Jabar Ungkap 5,9 Juta Lebih Tenaga Kerja Jadi Anggota', 27 Agu 2024 "
        "(Kanwil BPJS TK Jabar dan Pj Gubernur Jabar)",
        "",
        "kutipan berita",
        "Liputan6.com, 'BPJS Ketenagakerjaan Jabar reveals more than 5.9 million workers are members', 27 Aug 2024 (BPJS TK West Java regional office and the acting Governor)",
        "news quotation",
    ),
    "bps-sakernas-provinsi": (
        "BPS Sakernas Agustus 2022-2025: penduduk bekerja per provinsi (via GitHub den-econ/phk_dashboard); "
        "nasional = jumlah provinsi, sama dengan total BPS",
        "https://github.com/den-econ/phk_dashboard",
        "statistik BPS",
        "BPS Sakernas August 2022-2025: employed population by province (via GitHub den-econ/phk_dashboard); national = sum of provinces, equal to the BPS total",
        "BPS statistics",
    ),
    "bps-jabar-kabkota": (
        "BPS Sakernas Agustus: penduduk bekerja per kabupaten/kota Jawa Barat 2011-2023 "
        "(format Open Data Jabar, via GitHub fauzanebd/prosperitymodelling-vibe)",
        "https://opendata.jabarprov.go.id",
        "statistik BPS; repositori tanpa lisensi",
        "BPS Sakernas August: employed population by Jawa Barat regency/city 2011-2023 (Open Data Jabar layout, via GitHub fauzanebd/prosperitymodelling-vibe)",
        "BPS statistics; repository without a licence",
    ),
    "bps-jabar-kabkota-jumlah": (
        "Jumlah 27 kabupaten/kota Jawa Barat dari data BPS per kab/kota (turunan: penjumlahan)",
        "https://opendata.jabarprov.go.id",
        "statistik BPS",
        "Sum of the 27 Jawa Barat regencies/cities from BPS regency/city data (derived: a sum)",
        "BPS statistics",
    ),
    "jabarprov-2016": (
        "BPS Jawa Barat via jabarprov.go.id: penduduk bekerja Agustus 2015 dan 2016",
        "https://www.jabarprov.go.id/En/index.php/news/2107/Total_of_Labor_Force_in_West_Java_Rise",
        "kutipan rilis",
        "BPS Jawa Barat via jabarprov.go.id: employed population, August 2015 and 2016",
        "press release quotation",
    ),
}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(RAW_DIR / name, dtype=str, keep_default_na=False)


def _read_press_jabar() -> pd.DataFrame:
    """The Liputan6 file; its first row has an unquoted comma inside ``satuan`` ("5,9 juta lebih")."""
    with open(RAW_DIR / "liputan6_2024-08-27_jabar.csv", encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    width = len(header)
    fixed = [r[:5] + [",".join(r[5 : len(r) - 2])] + r[-2:] if len(r) > width else r for r in rows]
    return pd.DataFrame(fixed, columns=header).set_index("indikator")


def _people(value: str, unit: str) -> int:
    """A published figure in its printed unit ('juta orang', 'ribu orang', 'orang') as people."""
    number = float(value)
    if unit.startswith("juta"):
        number *= MILLION
    elif unit.startswith("ribu"):
        number *= 1_000
    return int(round(number))


def _bps_news_key(periode: str) -> str:
    return f"bps-pers-{periode}"


def province_participants_2023() -> pd.DataFrame:
    raw = _read("bpjstk_peserta_aktif_provinsi_2023-12.csv")
    rows = []
    for _, r in raw.iterrows():
        for segment, column in (("PU", "peserta_aktif_pu"), ("BPU", "peserta_aktif_bpu"), ("JAKON", "peserta_aktif_jakon")):
            rows.append((r["kode_kemendagri"], r["periode"], segment, int(r[column]), "kemnaker-provinsi-2023-12"))
    return pd.DataFrame(rows, columns=["kode", "periode", "segmen", "peserta_aktif", "sumber"])


def national_participants() -> pd.DataFrame:
    """National active participants: director quotes 2018-2021, Kemnaker monthly 2022-2024, Feb 2025."""
    news = _read("bpjstk_snapshots_from_news.csv")
    rows = []
    quoted = news[(news["level"] == "nasional") & news["indikator"].isin(["peserta_aktif", "peserta_aktif_pu", "peserta_aktif_bpu", "peserta_aktif_jakon"])]
    for _, r in quoted.iterrows():
        periode = r["periode"]
        if periode >= "2022-12" and r["indikator"] == "peserta_aktif" and periode < "2025":
            continue  # the monthly Kemnaker series below covers these months
        segment = {"peserta_aktif": "TOTAL", "peserta_aktif_pu": "PU", "peserta_aktif_bpu": "BPU", "peserta_aktif_jakon": "JAKON"}[r["indikator"]]
        if "tribunnews" in r["sumber_url"]:
            source = "bpjstk-rdp-dpr-2021"
        elif "tnp2k" in r["sumber_url"]:
            source = "tnp2k-2020"
        else:
            source = "databoks-2025-02"
        rows.append(("ID", periode, segment, _people(r["nilai"], r["satuan"]), source))
    monthly = _read("bpjstk_peserta_nasional_bulanan_2022-12_2024-12.csv")
    exact_2023_12 = int(province_participants_2023()["peserta_aktif"].sum())
    for _, r in monthly.iterrows():
        if r["periode"] == "2023-12":
            rows.append(("ID", "2023-12", "TOTAL", exact_2023_12, "kemnaker-provinsi-2023-12"))
            continue
        active = float(r["peserta_terdaftar_juta"]) * float(r["persen_aktif"]) / 100 * MILLION
        rows.append(("ID", r["periode"], "TOTAL", int(round(active, -4)), "kemnaker-nasional-bulanan"))
    return pd.DataFrame(rows, columns=["kode", "periode", "segmen", "peserta_aktif", "sumber"])


def province_participants_2025() -> pd.DataFrame:
    """Province totals for February 2025 quoted by Databoks (top and bottom provinces only)."""
    news = _read("bpjstk_snapshots_from_news.csv")
    codes = _read("kode_wilayah_provinsi.csv").set_index("nama_provinsi")["kode_kemendagri"]
    rows = []
    quoted = news[(news["level"] == "provinsi") & (news["periode"] == "2025-02") & (news["indikator"] == "peserta_aktif")]
    for _, r in quoted.iterrows():
        name = PROVINCE_ALIASES.get(r["wilayah"], r["wilayah"])
        if name not in codes.index:
            raise KeyError(f"province name not in kode_wilayah_provinsi.csv: {name}")
        rows.append((codes[name], "2025-02", "TOTAL", _people(r["nilai"], r["satuan"]), "databoks-2025-02"))
    return pd.DataFrame(rows, columns=["kode", "periode", "segmen", "peserta_aktif", "sumber"])


def jabar_participants_2024() -> pd.DataFrame:
    """Jawa Barat, August 2024: 5.0 million formal and 923 thousand informal (Kanwil, press)."""
    press = _read_press_jabar()
    formal = _people(press.at["tenaga_kerja_terlindungi_formal", "nilai"], "juta")
    informal = _people(press.at["tenaga_kerja_terlindungi_informal", "nilai"], "orang")
    return pd.DataFrame(
        [("32", "2024-08", "PU", formal, "liputan6-2024-08-27"), ("32", "2024-08", "BPU", informal, "liputan6-2024-08-27")],
        columns=["kode", "periode", "segmen", "peserta_aktif", "sumber"],
    )


def real_participants() -> pd.DataFrame:
    return pd.concat(
        [national_participants(), province_participants_2023(), province_participants_2025(), jabar_participants_2024()],
        ignore_index=True,
    )


def real_workforce() -> pd.DataFrame:
    """Employed (BPS, August rounds) for the nation, provinces and Jawa Barat kab/kota; JB 2024 eligible."""
    rows: list[tuple] = []
    sak = _read("bps_sakernas_provinsi_agustus_2022_2025.csv")
    for _, r in sak.iterrows():
        rows.append((r["kode_kemendagri"], r["periode"], int(r["penduduk_bekerja"]), None, "bps-sakernas-provinsi"))
    for periode, total in sak.groupby("periode")["penduduk_bekerja"].apply(lambda s: s.astype(int).sum()).items():
        rows.append(("ID", periode, int(total), None, "bps-sakernas-provinsi"))
    labour = _read("bps_labour_snapshots_from_news.csv")
    national = labour[(labour["level"] == "nasional") & (labour["indikator"] == "penduduk_bekerja") & labour["periode"].str.fullmatch(r"\d{4}-08")]
    for _, r in national.iterrows():
        if r["periode"] >= "2022-08":
            continue  # exact provincial sums above
        rows.append(("ID", r["periode"], _people(r["nilai"], r["satuan"]), None, _bps_news_key(r["periode"])))
    kab = _read("bps_jabar_kabkota_penduduk_bekerja_2011_2023.csv")
    kab = kab[kab["penduduk_bekerja"] != ""]
    for _, r in kab.iterrows():
        rows.append((r["kode_kemendagri"], f"{r['tahun']}-08", int(r["penduduk_bekerja"]), None, "bps-jabar-kabkota"))
    jb_news = labour[(labour["wilayah"] == "Jawa Barat") & (labour["indikator"] == "penduduk_bekerja") & labour["periode"].isin(["2015-08", "2016-08"])]
    for _, r in jb_news.iterrows():
        rows.append(("32", r["periode"], _people(r["nilai"], r["satuan"]), None, "jabarprov-2016"))
    covered = {r[1] for r in rows if r[0] == "32"}
    counts = kab.assign(n=kab["penduduk_bekerja"].astype(int)).groupby("tahun")["n"].agg(["sum", "count"])
    for year, (total, count) in counts.iterrows():
        if count == 27 and f"{year}-08" not in covered:
            rows.append(("32", f"{year}-08", int(total), None, "bps-jabar-kabkota-jumlah"))
    df = pd.DataFrame(rows, columns=["kode", "periode", "penduduk_bekerja", "pekerja_berhak", "sumber"])
    press = _read_press_jabar()
    eligible = _people(press.at["pekerja_berhak_perlindungan", "nilai"], "juta")
    at = (df["kode"] == "32") & (df["periode"] == "2024-08")
    df.loc[at, "pekerja_berhak"] = eligible
    df.loc[at, "sumber"] = "bps-sakernas-provinsi + liputan6-2024-08-27"
    df["pekerja_berhak"] = df["pekerja_berhak"].astype("Int64")
    return df


# The raw file's notes on who said a figure are English; the Indonesian title says them in Indonesian.
NOTE_ID = (("press conference", "konferensi pers"), ("also ", "juga "), (" and ", " dan "))


def _note_id(note: str) -> str:
    for english, indonesian in NOTE_ID:
        note = note.replace(english, indonesian)
    return note


def news_sources() -> dict[str, tuple[str, str, str, str, str]]:
    """One source entry per BPS press figure used for national employed 2018-2021."""
    labour = _read("bps_labour_snapshots_from_news.csv")
    national = labour[(labour["level"] == "nasional") & (labour["indikator"] == "penduduk_bekerja") & labour["periode"].str.fullmatch(r"\d{4}-08")]
    out = {}
    for _, r in national.iterrows():
        if r["periode"] < "2022-08":
            out[_bps_news_key(r["periode"])] = (
                f"BPS, penduduk bekerja nasional {r['periode']} ({_note_id(r['sumber_menyebut'])}), dibulatkan ke 0,01 juta",
                r["sumber_url"],
                "kutipan berita",
                f"BPS, national employed population {r['periode']} ({r['sumber_menyebut']}), rounded to 0.01 million",
                "news quotation",
            )
    return out


BREAKS = [
    ("ID", "2020-08", "penduduk_bekerja",
     "BPS menimbang ulang Sakernas dengan proyeksi penduduk baru mulai 2020; Agustus 2019 setelah penimbangan ulang "
     "128,76 juta (bukan 126,51 juta): perubahan 2019-2020 bukan pertumbuhan murni",
     "BPS re-weighted Sakernas with new population projections from 2020; August 2019 after re-weighting is "
     "128.76 million (not 126.51 million): the 2019-2020 change is not pure growth"),
    ("ID", "2022-12", "peserta_aktif",
     "Mulai Des 2022 peserta aktif nasional dari seri bulanan Kemnaker Satu Data; sebelumnya angka yang dikutip Dirut BPJS TK",
     "From Dec 2022 national active participants come from the Kemnaker Satu Data monthly series; before, figures quoted "
     "by the BPJS TK President Director"),
    ("ID", "2025-02", "peserta_aktif",
     "Februari 2025: Databoks (Katadata), sumber dan bulan lain dari seri Desember Kemnaker; ditampilkan di luar seri",
     "February 2025: Databoks (Katadata), another source and month than the Kemnaker December series; shown outside the series"),
    ("32", "2024-08", "peserta_aktif",
     "Agustus 2024: 'tenaga kerja terlindungi' menurut Kanwil BPJS TK Jabar (berita), definisi berbeda dari peserta aktif Kemnaker",
     "August 2024: 'protected workers' according to the BPJS TK West Java regional office (news), a different definition "
     "from Kemnaker's active participants"),
    ("91", "2024-08", "penduduk_bekerja",
     "Mulai 2024 Papua tidak lagi mencakup Papua Selatan, Papua Tengah dan Papua Pegunungan (pemekaran 2022)",
     "From 2024 Papua no longer includes Papua Selatan, Papua Tengah and Papua Pegunungan (2022 split)", "wilayah"),
    ("92", "2024-08", "penduduk_bekerja",
     "Mulai 2024 Papua Barat tidak lagi mencakup Papua Barat Daya (pemekaran 2022)",
     "From 2024 Papua Barat no longer includes Papua Barat Daya (2022 split)", "wilayah"),
]


UCJ_SOURCE = "kemendagri-ucj-2025-04"
UCJ_ENTRY = (
    "Kemendagri, pemantauan UCJ: capaian Universal Coverage Jamsostek nasional April 2025 (definisi dan penyebut UCJ tidak disebutkan)",
    "https://ayonusa.com/berita/news-97831/bpjs-ketenagakerjaan-wujud-pelindungan-negara-untuk-pekerja",
    "kutipan berita",
    "Kemendagri UCJ monitoring: national Universal Coverage Jamsostek achievement, April 2025 (UCJ definition and denominator not stated)",
    "news quotation",
)


def _ucj_reference() -> tuple[str, str, str, float, str]:
    """The published national UCJ achievement (``targets_jamsostek.csv``: '35.68 (target 52.15)')."""
    targets = _read("targets_jamsostek.csv")
    row = targets[targets["indikator"] == "capaian UCJ nasional vs target"].iloc[0]
    return ("ID", str(row["tahun_target"]), "ucj", float(str(row["nilai"]).split()[0]), UCJ_SOURCE)


def references_table() -> pd.DataFrame:
    """Published figures that reports check their own numbers against (coverage) or show beside them (UCJ)."""
    press = _read_press_jabar()
    return pd.DataFrame(
        [("32", "2024-08", "cakupan", press.at["cakupan_terhadap_pekerja_berhak", "nilai"], "liputan6-2024-08-27"), _ucj_reference()],
        columns=["kode", "periode", "indikator", "nilai", "sumber"],
    )


def sources_table(extra: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    entries = {**SOURCES, **news_sources(), UCJ_SOURCE: UCJ_ENTRY, **(extra or {})}
    return pd.DataFrame([(k, *v) for k, v in sorted(entries.items())], columns=SOURCE_TABLE_COLUMNS)


def breaks_table() -> pd.DataFrame:
    """Changes of definition (``jenis`` empty) and of territory (``wilayah``: the series covers another area from then on)."""
    rows = [row if len(row) == 6 else (*row, "") for row in BREAKS]
    return pd.DataFrame(rows, columns=["kode", "periode", "ukuran", "catatan", "catatan_en", "jenis"])


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Deterministic CSV (LF endings, stable order) written atomically."""
    write_atomic(path, df.to_csv(index=False, lineterminator="\n"))
