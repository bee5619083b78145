"""A CKAN API client made of the calls ckanapi's RemoteCKAN makes (POST of a JSON body to /api/action/{action},
or GET with the arguments in the query string when get_only), with nothing but the standard library. Every answer is
checked against CKAN's documented envelope, field by field, and errors are mapped to the exceptions ckanapi raises.
Usage: python3 ckan_client.py BASE_URL CALLS_JSON, CALLS_JSON a list of {"action", "data", "get": bool}.
Prints a JSON list of {"action", "status", "exception", "result", "error"}; exits 1 when an envelope is malformed."""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

EXCEPTIONS = {  # ckanapi.errors, by the error's __type
    "Not Found Error": "NotFound",
    "Validation Error": "ValidationError",
    "Search Query Error": "SearchQueryError",
    "Authorization Error": "NotAuthorized",
    "Search Error": "SearchError",
}


def call(base, action, data, get):
    url = base.rstrip("/") + "/api/action/" + action
    headers = {"User-Agent": "ckanapi/4.7 (+https://github.com/ckan/ckanapi)"}
    if get:
        query = urllib.parse.urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()})
        request = urllib.request.Request(url + ("?" + query if query else ""), headers=headers)
    else:
        headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=json.dumps(data).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def check(action, status, content_type, body):
    problems = []
    if not content_type.startswith("application/json"):
        problems.append(f"content type {content_type}")
    envelope = json.loads(body)
    if not isinstance(envelope, dict):
        return envelope, ["not an object"]
    if not isinstance(envelope.get("help"), str) or "help_show" not in envelope["help"]:
        problems.append("help is not a help_show URL")
    if envelope.get("success") is True:
        if set(envelope) != {"help", "success", "result"}:
            problems.append(f"success keys {sorted(envelope)}")
        if status != 200:
            problems.append(f"success with status {status}")
    elif envelope.get("success") is False:
        if set(envelope) != {"help", "success", "error"}:
            problems.append(f"error keys {sorted(envelope)}")
        error = envelope.get("error")
        if not isinstance(error, dict) or not isinstance(error.get("__type"), str) or not isinstance(error.get("message"), str):
            problems.append("error lacks __type or message")
        if status < 400:
            problems.append(f"failure with status {status}")
    else:
        problems.append("success is not a boolean")
    return envelope, problems


def main():
    base, calls = sys.argv[1], json.loads(sys.argv[2])
    out, failed = [], False
    for c in calls:
        status, content_type, body = call(base, c["action"], c.get("data", {}), c.get("get", False))
        envelope, problems = check(c["action"], status, content_type, body)
        if problems:
            failed = True
            print(f"{c['action']}: malformed envelope: {problems}", file=sys.stderr)
        error = envelope.get("error") if isinstance(envelope, dict) else None
        out.append({
            "action": c["action"], "status": status,
            "exception": EXCEPTIONS.get(error.get("__type"), "CKANAPIError") if isinstance(error, dict) else None,
            "result": envelope.get("result") if isinstance(envelope, dict) else None, "error": error,
        })
    print(json.dumps(out))
    sys.exit(1 if failed else 0)


main()
