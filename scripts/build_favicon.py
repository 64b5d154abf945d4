"""Draw static/favicon.ico, the raster fallback of static/favicon.svg (same shapes, same colours).

Run by a developer after changing the SVG, with Pillow from a scratch virtual environment
(Pillow is not a runtime dependency):

    python3 -m venv /tmp/icon-venv && /tmp/icon-venv/bin/pip install Pillow
    /tmp/icon-venv/bin/python scripts/build_favicon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SCALE = 8  # drawn at 8x, then downsampled, for smooth edges

# The shapes of static/favicon.svg, in its 64x64 viewBox.
SAILS = [[(33, 9), (33, 38), (14, 38)], [(36, 16), (36, 38), (50, 38)]]
HULL = [(8, 42), (56, 42), (48, 53), (16, 53)]


def main() -> None:
    s = SCALE
    image = Image.new("RGBA", (64 * s, 64 * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([0, 0, 64 * s - 1, 64 * s - 1], radius=12 * s, fill="#1d2733")
    for sail in SAILS:
        draw.polygon([(x * s, y * s) for x, y in sail], fill="#ffffff")
    draw.polygon([(x * s, y * s) for x, y in HULL], fill="#b3261e")
    draw.rounded_rectangle([12 * s, 56 * s, 52 * s, 59 * s], radius=int(1.5 * s), fill="#5d9bd6")
    icon = image.resize((64, 64), Image.LANCZOS)
    icon.save(ROOT / "static" / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64)])


if __name__ == "__main__":
    main()
