"""The analysis, pure functions of the data: coverage metrics (``metrics``), forecasts and their
member models (``forecast``, ``forecast_models``), the rolling-origin backtest (``backtest``),
strategy scenarios (``scenarios``), rankings (``ranking``), the parameters and their checks against
the data (``params``, ``checks``) and each region's facts, computed once (``facts``). Imports
``analysis.core`` and ``analysis.data``; draws and writes nothing."""
