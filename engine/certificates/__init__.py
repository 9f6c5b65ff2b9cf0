"""§10 certificates: eligibility from the monitoring data, numbering, PDFs, verification and revocation."""
