"""Attendance reports: the figures (figures.py) read from the Store's daily summary, the roll-call
(rollcall.py), the charts (charts.py, matplotlib without pyplot or a GUI backend) and the HTML,
XLSX and PDF files made from them (render_*.py). The app's Reports page and `facegate report` show
the same figures and charts."""
