"""A bare Flask app for bench/http.py: the framework's own limit under the same gunicorn.

    gunicorn -c gunicorn.conf.py bench.echo_app:app

Its one route parses the JSON body an assessment request sends and answers a small JSON
body; no validation, no model, no database.
"""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/echo")
def echo():
    body = request.get_json()
    return jsonify(status="ok", fields=len(body)), 201


@app.get("/echo")
def ready():
    return jsonify(status="ready")
