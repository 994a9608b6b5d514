"""Documents: upload, parsing (PDF, Office, HWP/HWPX, HTML, text), chunking, ingestion."""
