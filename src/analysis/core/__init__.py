"""The ground floor: problems that point at a file, row, column and value (``problems``), the
message catalogue in Indonesian and English with its number formats (``messages`` and the
``messages*.yaml`` files), and writing files safely, atomically and under a lock (``writing``).
Imports nothing else of Cakupan."""
