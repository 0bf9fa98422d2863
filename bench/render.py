"""Time Quire's Markdown pipeline against Python-Markdown on one post.

DESIGN.md says to choose the renderer by measurement: this is that measurement, and the check
that sanitising every save stays cheap. Run: .venv/bin/python bench/render.py [PATH]
"""

import re
import sys
import timeit
from pathlib import Path

import markdown

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from posts.markup import render, render_post  # noqa: E402

SEED = REPO.parent / "shared" / "seed" / "transatlantic-strategic-security.md"
BATCHES, PER_BATCH = 10, 20  # 200 runs; the best batch is the least disturbed one


def best_ms(function) -> float:
    """Milliseconds per call in the fastest batch."""
    return min(timeit.repeat(function, number=PER_BATCH, repeat=BATCHES)) / PER_BATCH * 1000


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else SEED
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^---[ \t]*$", text, maxsplit=2, flags=re.M)
    body = parts[2] if text.startswith("---") and len(parts) == 3 else text
    python_markdown = markdown.Markdown(
        extensions=["footnotes", "tables", "fenced_code", "toc", "smarty", "sane_lists"]
    )

    pipeline = best_ms(lambda: render_post(body))
    markdown_it = best_ms(lambda: render(body))
    python_md = best_ms(lambda: python_markdown.reset().convert(body))

    print(f"{path.name}: {len(body):,} characters, best of {BATCHES} x {PER_BATCH} runs")
    print(f"render_post (markdown-it + nh3, body and excerpt) {pipeline:8.2f} ms")
    print(f"render      (markdown-it + nh3, body only)        {markdown_it:8.2f} ms")
    print(f"Python-Markdown (no sanitising)                   {python_md:8.2f} ms")
    print(f"render_post throughput: {1000 / pipeline:,.0f} posts/second")


if __name__ == "__main__":
    main()
