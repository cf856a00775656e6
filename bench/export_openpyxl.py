"""openpyxl (write_only) writing the export benchmark's cells: `export_openpyxl.py ROWS OUT [meeting]`."""

import time

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from gen import DATE_COLUMNS, DATE_FORMAT, HEADERS, args, report, row


def main():
    rows, out, columns = args()
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([HEADERS[c] for c in columns])
    for i in range(rows):
        values = row(i, rows)
        cells = []
        for c in columns:
            if c in DATE_COLUMNS:
                # Dates as real dates with the same number format as the other contenders.
                cell = WriteOnlyCell(ws, value=values[c])
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(values[c])
        ws.append(cells)
    wb.save(out)
    report("openpyxl", rows, len(columns), time.perf_counter() - started)


if __name__ == "__main__":
    main()
