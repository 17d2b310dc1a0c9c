#!/bin/sh
# Container entry: bring the database schema up to date, then hand the process to gunicorn.
set -e
alembic upgrade head
exec gunicorn -c gunicorn.conf.py
