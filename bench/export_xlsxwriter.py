"""XlsxWriter (constant_memory) writing the export benchmark's cells: `export_xlsxwriter.py ROWS OUT`."""

import time

import xlsxwriter

from gen import DATE_FORMAT, HEADERS, args, report, row


def main():
    rows, out = args()
    started = time.perf_counter()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet()
    date = wb.add_format({"num_format": DATE_FORMAT})
    ws.write_row(0, 0, HEADERS)
    for i in range(rows):
        values = row(i, rows)
        r = i + 1
        for c, v in enumerate(values):
            if c == 7 or c == 8:
                ws.write_datetime(r, c, v, date)
            elif c == 10:
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, v)
    wb.close()
    report("xlsxwriter", rows, time.perf_counter() - started)


if __name__ == "__main__":
    main()
