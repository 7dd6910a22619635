"""The PostgreSQL backend the site uses (settings: ENGINE "rvuedge.postgres"): Django's, waiting
for a server that is restarting instead of failing the request (see base.py)."""
