"""Renditions of a camera-sized photo: time, peak memory and the files written, with JPEG draft
decoding (as generate() does) and without it.

A 6000×4000 JPEG photo is written, then each variant runs in its own process, because ru_maxrss
is the process's high-water mark: a child's rise in it is generate()'s alone. (The photo is made
in a process of its own too: Linux carries the high-water mark of the forked parent into a
child.) Pillow allocates pixels in C, out of tracemalloc's sight, so its peak only shows Python's
share (encoded buffers); the size of the decoded source is printed as well.

Run: .venv/bin/python bench/renditions.py
"""

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from unittest import mock

from PIL import Image as PILImage
from PIL import JpegImagePlugin

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 6000, 4000
VARIANTS = {
    "draft": "JPEG draft on (as deployed)",
    "no-draft": "JPEG draft off (full-size decode)",
}


def photo(width: int, height: int) -> PILImage.Image:
    """Light falling across the frame, soft shapes, texture and sensor grain: a picture that
    compresses roughly as a camera photo does, unlike flat colour or pure noise."""
    size = (width, height)
    bands = []
    for band in range(3):
        light = PILImage.linear_gradient("L").rotate(90 * band).resize(size)
        shapes = PILImage.effect_noise((width // 50, height // 50), 64)
        texture = PILImage.effect_noise((width // 6, height // 6), 48)
        grain = PILImage.effect_noise(size, 24)
        detail = PILImage.blend(
            shapes.resize(size, PILImage.Resampling.BICUBIC),
            texture.resize(size, PILImage.Resampling.BICUBIC),
            0.3,
        )
        bands.append(PILImage.blend(PILImage.blend(light, detail, 0.5), grain, 0.2))
    return PILImage.merge("RGB", bands)


def megabytes(size: float) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def pixel_bytes(width: int, height: int, mode: str) -> int:
    """What Pillow holds for a picture: it keeps an RGB pixel in 4 bytes, as for RGBA."""
    return width * height * (1 if mode == "L" else 4)


def write_photo(path: Path):
    """The photo, encoded as media/intake.py re-encodes an upload."""
    photo(WIDTH, HEIGHT).save(path, format="JPEG", quality=88, optimize=True)


def measure(variant: str, path: Path):
    """In this process: store the photo as an upload would, generate its renditions, report."""
    import django
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    sys.path.insert(0, str(REPO))
    django.setup()
    call_command("migrate", verbosity=0)
    from media import renditions
    from media.models import Image

    data = path.read_bytes()
    # bulk_create stores the file and the row but skips save(), which would generate untimed.
    (image,) = Image.objects.bulk_create([Image(file=ContentFile(data, name="photo.jpg"))])
    del data

    decoded = []
    decode = renditions.decode

    def recording_decode(picture, size):
        """Keeps the decoded source's size and mode, never the source itself."""
        source = decode(picture, size)
        decoded.append((source.size, source.mode))
        return source

    no_draft = mock.patch.object(JpegImagePlugin.JpegImageFile, "draft", return_value=None)
    with (
        mock.patch.object(renditions, "decode", recording_decode),
        no_draft if variant == "no-draft" else contextlib.nullcontext(),
    ):
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        start = time.perf_counter()
        made = renditions.generate(image)
        seconds = time.perf_counter() - start
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    image.renditions = made
    image.save(update_fields=["renditions"])

    (width, height), mode = decoded[0]
    print(f"\n{VARIANTS[variant]}")
    print(f"  time                  {seconds:6.2f} s")
    print(
        f"  decoded source        {width}×{height} {mode}, "
        f"{megabytes(pixel_bytes(width, height, mode))} in memory"
    )
    print(f"  peak RSS rise         {megabytes((rss_after - rss_before) * 1024)} (ru_maxrss)")
    print(f"  tracemalloc peak      {megabytes(python_peak)} (Python objects only)")
    print("  rendition     format        bytes")
    formats = {extension: name for name, extension in renditions.EXTENSIONS.items()}
    for kind in ("webp", "fallback"):
        for entry in made[kind]:
            file_format = formats[entry["name"].rsplit(".", 1)[-1]]
            print(
                f"  {entry['width']:>4}×{entry['height']:<6}  {file_format:<6} "
                f"{entry['bytes']:>12,}"
            )
    sys.stdout.flush()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--photo":
        write_photo(Path(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        measure(sys.argv[2], Path(sys.argv[3]))
        return
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "photo.jpg"
        subprocess.run([sys.executable, __file__, "--photo", str(path)], check=True)
        print(
            f"generate() on a {WIDTH}×{HEIGHT} JPEG of {megabytes(path.stat().st_size)} "
            f"({megabytes(pixel_bytes(WIDTH, HEIGHT, 'RGB'))} decoded at full size), "
            f"Pillow {PILImage.__version__}, {os.cpu_count()} CPUs",
            flush=True,
        )
        for variant in VARIANTS:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "cms.settings",
                "DATABASE_URL": f"sqlite:///{scratch}/{variant}.sqlite3",
                "DJANGO_MEDIA_ROOT": f"{scratch}/media-{variant}",
            }
            command = [sys.executable, __file__, "--one", variant, str(path)]
            subprocess.run(command, check=True, env=env)


if __name__ == "__main__":
    main()
