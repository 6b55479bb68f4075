"""What the notebooks use in JupyterLab beyond the page blocks: checked notebook parameters and
the stand-in report of a load cell (``parameters``), and comparing regions and moving scenario
levers (``explore``). Imports any layer up to ``analysis.pages``; nothing imports it but the
package's public face (``analysis.__init__``)."""
