"""Attendance reports: the figures (figures.py) read from the Store's daily summary, the roll-call
(rollcall.py), the charts as SVG text drawn by pygal (charts.py) and the HTML and XLSX files made from them
(render_*.py); the PDF is drawn by Qt in desktop_app/report_pdf.py. The app's Reports page and
`facegate report` show the same figures and charts."""
