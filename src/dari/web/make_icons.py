"""Draw the app icons (PNG) shipped under `static/icons/`: `python -m dari.web.make_icons`.

The icons are committed; this module only documents how they were made (needs Pillow, a dev
tool, not a runtime dependency). The drawing matches `static/icons/icon.svg`: a white bridge
(다리) arch over a blue tile.
"""

from __future__ import annotations

from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent / "static" / "icons"
BLUE = (48, 86, 211, 255)
DEEP = (31, 58, 150, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int, *, maskable: bool = False, rounded: bool = True) -> object:
    from PIL import Image, ImageDraw

    scale = 4  # draw large, shrink: smooth edges without an anti-aliasing API
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    radius = 0 if maskable or not rounded else big // 5
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=BLUE)
    # Maskable icons keep their drawing inside the central 80% safe zone.
    inset = 0.22 if maskable else 0.14
    left, right = int(big * inset), int(big * (1 - inset))
    width = right - left
    deck = int(big * 0.62)
    line = max(scale * 2, big // 16)
    half, quarter = line // 2, line // 4
    arch_top = int(big * 0.30)
    arch_box = (left, arch_top, right, deck + (deck - arch_top))
    pen.arc(arch_box, start=180, end=360, fill=WHITE, width=line)
    pen.rectangle((left - half, deck - half, right + half, deck + half), fill=WHITE)
    for x in (left + width // 4, left + width // 2, left + 3 * width // 4):
        pen.rectangle((x - quarter, arch_top + line, x + quarter, deck), fill=WHITE)
    foot = int(big * (1 - inset + 0.04))
    for x in (left, right):
        pen.rectangle((x - half, deck, x + half, foot), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    outputs = {
        "icon-192.png": draw(192),
        "icon-512.png": draw(512),
        "maskable-512.png": draw(512, maskable=True),
        "apple-touch-icon.png": draw(180, rounded=False),
        "favicon-32.png": draw(32),
    }
    for name, image in outputs.items():
        image.save(ICON_DIR / name, optimize=True)  # type: ignore[attr-defined]
        print(ICON_DIR / name)


if __name__ == "__main__":
    main()
