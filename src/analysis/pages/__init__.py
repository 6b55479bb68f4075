"""The published pages: the summary a notebook publishes (``summary``), tidy frames and CSV
downloads (``frames``, ``downloads``), HTML pieces (``markup``), charts and maps (``charts``,
``maps``, ``svg_text``), the region page and its forecast blocks (``region_page``,
``outlook_blocks``), the overview, the index and backtest pages (``overview``, ``render``,
``backtest_page``), how blocks show in a notebook (``notebook_display``), the nbconvert
preprocessor (``preprocessor``) and the templates. Imports ``core``, ``data`` and ``model``."""
