"""openpyxl (write_only) writing the export benchmark's cells: `export_openpyxl.py ROWS OUT`."""

import time

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from gen import DATE_FORMAT, HEADERS, args, report, row


def main():
    rows, out = args()
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    for i in range(rows):
        values = row(i, rows)
        # Dates as real dates with the same number format as the other contenders.
        for c in (7, 8):
            cell = WriteOnlyCell(ws, value=values[c])
            cell.number_format = DATE_FORMAT
            values[c] = cell
        ws.append(values)
    wb.save(out)
    report("openpyxl", rows, time.perf_counter() - started)


if __name__ == "__main__":
    main()
