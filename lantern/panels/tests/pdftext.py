"""Read the text of a PDF WeasyPrint wrote, page by page, for tests (no PDF library installed).

Enough of PDF for that: objects at the top level and inside object streams, FlateDecode
streams, the page tree, each page's fonts and their ToUnicode maps, and the text-showing
operators (Tj, TJ, ', "). Text is decoded through the font's ToUnicode map; a gap in a TJ array
wider than a space, or a new text line, becomes a space so words do not run together.
"""

import re
import zlib
from dataclasses import dataclass

_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_REF = re.compile(rb"(\d+)\s+\d+\s+R")


@dataclass
class _Obj:
    body: bytes
    stream: bytes | None = None


def _stream_data(raw: bytes, start: int) -> tuple[bytes, bytes | None, int]:
    """The dictionary text of an object starting at ``start`` and its decoded stream, if any."""
    end = raw.find(b"endobj", start)
    chunk = raw[start:end]
    at = chunk.find(b"stream")
    if at < 0:
        return chunk, None, end
    head = chunk[:at]
    length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", head)
    data_start = start + at + len(b"stream")
    if raw[data_start : data_start + 2] == b"\r\n":
        data_start += 2
    elif raw[data_start : data_start + 1] == b"\n":
        data_start += 1
    if length:
        data = raw[data_start : data_start + int(length.group(1))]
        end = raw.find(b"endobj", data_start + int(length.group(1)))
    else:
        data = raw[data_start : raw.find(b"endstream", data_start)]
    if b"/FlateDecode" in head:
        data = zlib.decompress(data)
    return head, data, end


def _objects(raw: bytes) -> dict[int, _Obj]:
    objects: dict[int, _Obj] = {}
    pos = 0
    while True:
        match = _OBJ.search(raw, pos)
        if match is None:
            break
        head, data, end = _stream_data(raw, match.end())
        objects[int(match.group(1))] = _Obj(head, data)
        pos = max(end, match.end())
    # Objects packed in object streams.
    for obj in list(objects.values()):
        if obj.stream is None or b"/ObjStm" not in obj.body:
            continue
        first = int(re.search(rb"/First\s+(\d+)", obj.body).group(1))  # type: ignore[union-attr]
        count = int(re.search(rb"/N\s+(\d+)", obj.body).group(1))  # type: ignore[union-attr]
        numbers = [int(x) for x in obj.stream[:first].split()]
        pairs = [(numbers[i], numbers[i + 1]) for i in range(0, 2 * count, 2)]
        for i, (number, offset) in enumerate(pairs):
            stop = pairs[i + 1][1] if i + 1 < len(pairs) else len(obj.stream) - first
            objects[number] = _Obj(obj.stream[first + offset : first + stop])
    return objects


def _dict_value(body: bytes, key: bytes) -> bytes | None:
    match = re.search(rb"/" + key + rb"\s*(\d+\s+\d+\s+R|<<)", body)
    if match is None:
        return None
    if match.group(1) != b"<<":
        return match.group(1)
    # An inline dictionary: take it up to its matching >>.
    start = match.start(1)
    depth, i = 0, start
    while i < len(body):
        if body[i : i + 2] == b"<<":
            depth += 1
            i += 2
        elif body[i : i + 2] == b">>":
            depth -= 1
            i += 2
            if depth == 0:
                return body[start:i]
        else:
            i += 1
    return body[start:]


def _resolve(objects: dict[int, _Obj], value: bytes | None) -> bytes:
    if value is None:
        return b""
    ref = _REF.fullmatch(value.strip())
    return objects[int(ref.group(1))].body if ref else value


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            base = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(base + offset)
    return mapping


def _fonts(objects: dict[int, _Obj], page: bytes) -> dict[bytes, tuple[dict[int, str], int]]:
    resources = _resolve(objects, _dict_value(page, b"Resources"))
    fonts = _resolve(objects, _dict_value(resources, b"Font"))
    out = {}
    for name, number in re.findall(rb"/([^\s/<>\[\]()]+)\s+(\d+)\s+\d+\s+R", fonts):
        font = objects[int(number)].body
        to_unicode = re.search(rb"/ToUnicode\s+(\d+)\s+\d+\s+R", font)
        cmap = _cmap(objects[int(to_unicode.group(1))].stream or b"") if to_unicode else {}
        width = 2 if b"/Type0" in font else 1
        out[name] = (cmap, width)
    return out


_TOKEN = re.compile(
    rb"<([0-9a-fA-F\s]*)>|\((?:\\.|[^\\)])*\)|\[|\]|/[^\s/<>\[\]()]+|-?\d*\.?\d+|[A-Za-z'\"*]+",
    re.S,
)


def _decode(raw: bytes, is_hex: bool, font: tuple[dict[int, str], int]) -> str:
    cmap, width = font
    if is_hex:
        data = bytes.fromhex(re.sub(rb"\s", b"", raw).decode())
    else:
        data = re.sub(rb"\\(.)", rb"\1", raw[1:-1])
    codes = [int.from_bytes(data[i : i + width], "big") for i in range(0, len(data), width)]
    return "".join(cmap.get(c, chr(c) if width == 1 else "") for c in codes)


def _page_text(content: bytes, fonts: dict[bytes, tuple[dict[int, str], int]]) -> str:
    out: list[str] = []
    font: tuple[dict[int, str], int] = ({}, 1)
    operands: list[bytes] = []
    in_array = False
    for match in _TOKEN.finditer(content):
        token = match.group(0)
        if token == b"[":
            in_array = True
            operands.append(token)
        elif token == b"]":
            in_array = False
            operands.append(token)
        elif token[:1] in b"(<" or token[:1] == b"/" or re.fullmatch(rb"-?\d*\.?\d+", token):
            operands.append(token)
        elif in_array:
            continue
        else:
            if token == b"Tf" and len(operands) >= 2:
                font = fonts.get(operands[-2][1:], ({}, 1))
            elif token in (b"Tj", b"'", b'"') and operands:
                out.append(_decode(*_string(operands[-1]), font))
            elif token == b"TJ":
                for item in operands:
                    if item[:1] in b"(<":
                        out.append(_decode(*_string(item), font))
                    elif re.fullmatch(rb"-?\d*\.?\d+", item) and float(item) < -200:
                        out.append(" ")
            elif token in (b"Td", b"TD", b"Tm", b"T*", b"ET"):
                out.append(" ")
            operands = []
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _string(token: bytes) -> tuple[bytes, bool]:
    if token[:1] == b"<":
        return token[1:-1], True
    return token, False


def pdf_pages(raw: bytes) -> list[str]:
    """The text of each page, in order."""
    assert raw.startswith(b"%PDF-"), "not a PDF"
    objects = _objects(raw)
    catalog = next(o.body for o in objects.values() if re.search(rb"/Type\s*/Catalog", o.body))
    root = _resolve(objects, _dict_value(catalog, b"Pages") or b"")
    pages: list[bytes] = []

    def walk(node: bytes) -> None:
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", node)
        if kids is None:
            pages.append(node)
            return
        for number in _REF.findall(kids.group(1)):
            walk(objects[int(number)].body)

    walk(root)
    texts = []
    for page in pages:
        fonts = _fonts(objects, page)
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)", page)
        numbers = _REF.findall(contents.group(1)) if contents else []
        data = b"\n".join(objects[int(n)].stream or b"" for n in numbers)
        texts.append(_page_text(data, fonts))
    return texts


def pdf_text(raw: bytes) -> str:
    return "\n".join(pdf_pages(raw))
