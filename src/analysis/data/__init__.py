"""The data: the contract every data folder keeps (``contract``), the Kemendagri region tree
(``regions``), the bundled dataset and its sample panel (``bundle``, ``sample``), where imports and
builds may write (``destinations``), which regions a build covers (``portfolio``) and the table
importers (``importers``). Imports ``analysis.core`` only."""
