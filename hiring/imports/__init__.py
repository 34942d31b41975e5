"""Reading files from other hiring systems: pure parsing and validation, no database.

`usas` reads a USA Staffing applicant export; `art` reads an Assessment Review Tool configuration
folder. Both collect every problem and raise one `ImportRejected` naming them all, so a person fixes the
file once instead of once per upload. Writing what they read is hiring.services.imports' job.
"""

from .usas import MAX_ROWS, ImportRejected, UsasRow, parse_usas_csv

__all__ = ["MAX_ROWS", "ImportRejected", "UsasRow", "parse_usas_csv"]
