"""Load test of `convgen serve`: N concurrent users filling a form and previewing it.

Starts uvicorn on 127.0.0.1 (free port) on a copy of the project, then N threads, each with its
own cookie jar (CSRF token), loop for D seconds: change a field of an instance's form, post it
to /instances/<name>/validate (validation + HTML preview, what the page does while the user
types), and every fifth time open the form page. Prints counts, errors and latency percentiles.

    .venv/bin/python benchmarks/bench_web.py --users 20 --seconds 60
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def form_values(html: str) -> dict[str, str]:
    import html as h

    form = html.split('id="formulaire"', 1)[1].split("</form>", 1)[0]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and not ('type="radio"' in tag and " checked" not in tag):
            values[name.group(1)] = h.unescape(value.group(1) if value else "")
    for name, body in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        values[name] = h.unescape(body)
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = h.unescape(chosen.group(1)) if chosen else ""
    values.pop("action", None)
    return values


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a user types between two previews (the page waits 0.5 s after a key)",
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="convgen-bench-web-"))
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(args.root / folder, root / folder)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # the server in its own process, as `convgen serve` runs: the clients' threads do not
    # share its interpreter lock
    server = subprocess.Popen(
        [sys.executable, "-m", "convgen", "serve", "--root", str(root), "--port", str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/static/style.css", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    names = ["saint-chamond", "ccas-poitiers", "les-vans-tripartite", "cpam-cote-opale"]
    previews: list[float] = []
    pages: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def user(index: int) -> None:
        name = names[index % len(names)]
        with httpx.Client(base_url=base, timeout=30) as client:
            first = client.get(f"/instances/{name}")
            if 'id="formulaire"' not in first.text:  # the instance cannot be read: say so
                with lock:
                    errors.append(f"page {first.status_code} sans formulaire ({name})")
                return
            values = form_values(first.text)
            text_fields = [k for k, v in values.items() if v and k not in ("csrf", "version")]
            i = 0
            while time.monotonic() < stop:
                if args.think:
                    time.sleep(args.think)
                i += 1
                key = text_fields[i % len(text_fields)]
                sent = {**values, key: values[key] + f" {i}"}
                t = time.perf_counter()
                r = client.post(f"/instances/{name}/validate", data=sent)
                elapsed = time.perf_counter() - t
                with lock:
                    if r.status_code != 200 or "preview" not in r.json():
                        errors.append(f"validate {r.status_code}")
                    previews.append(elapsed)
                if i % 5 == 0:
                    t = time.perf_counter()
                    r = client.get(f"/instances/{name}")
                    with lock:
                        pages.append(time.perf_counter() - t)
                        if r.status_code != 200:
                            errors.append(f"page {r.status_code}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.monotonic() - started
    server.terminate()
    server.wait(10)
    shutil.rmtree(root, ignore_errors=True)

    def pct(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000

    if not previews or not pages:
        print("aucune mesure :", sorted(set(errors)) or "aucune requête")
        sys.exit(1)

    print(
        f"{args.users} utilisateurs, pause {args.think} s, {duration:.1f} s, {len(previews)} aperçus "
        f"({len(previews) / duration:.1f}/s), {len(pages)} pages, {len(errors)} erreurs"
    )
    print(
        f"aperçu : médiane {statistics.median(previews) * 1000:.0f} ms, "
        f"p95 {pct(previews, 0.95):.0f} ms, max {max(previews) * 1000:.0f} ms"
    )
    print(
        f"page du formulaire : médiane {statistics.median(pages) * 1000:.0f} ms, "
        f"p95 {pct(pages, 0.95):.0f} ms"
    )
    if errors:
        print("erreurs :", sorted(set(errors)))


if __name__ == "__main__":
    main()
