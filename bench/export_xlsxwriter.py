"""XlsxWriter (constant_memory) writing the export benchmark's cells:
`export_xlsxwriter.py ROWS OUT [meeting]`."""

import time

import xlsxwriter

from gen import DATE_COLUMNS, DATE_FORMAT, HEADERS, NUMBER_COLUMNS, args, report, row


def main():
    rows, out, columns = args()
    started = time.perf_counter()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet()
    date = wb.add_format({"num_format": DATE_FORMAT})
    ws.write_row(0, 0, [HEADERS[c] for c in columns])
    for i in range(rows):
        values = row(i, rows)
        r = i + 1
        for pos, c in enumerate(columns):
            if c in DATE_COLUMNS:
                ws.write_datetime(r, pos, values[c], date)
            elif c in NUMBER_COLUMNS:
                ws.write_number(r, pos, values[c])
            else:
                ws.write_string(r, pos, values[c])
    wb.close()
    report("xlsxwriter", rows, len(columns), time.perf_counter() - started)


if __name__ == "__main__":
    main()
