"""Smaller binaries for the bundle, used by facegate.spec on Linux: symbols stripped where that is
safe, and an empty ICU data library in place of PySide6's 31 MB one."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

ICU_DATA = re.compile(r"libicudata\.so\.(\d+)$")
STUB_SOURCE = Path(__file__).with_name("icudata_stub.c")
_PT_LOAD = 1


def _elf64(head: bytes) -> bool:
    """A little-endian 64-bit ELF file, the only kind these binaries are on x86-64 and aarch64."""
    return head[:4] == b"\x7fELF" and head[4] == 2 and head[5] == 1


def has_symbols(path: Path) -> bool:
    """Whether the file still holds a symbol table or debug sections that `strip` would remove."""
    with path.open("rb") as f:
        head = f.read(64)
        if not _elf64(head):
            return False
        (shoff,) = struct.unpack_from("<Q", head, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", head, 0x3A)
        if not shoff or shstrndx >= shnum:
            return False
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        strtab_offset, strtab_size = struct.unpack_from("<QQ", table, shstrndx * shentsize + 0x18)
        f.seek(strtab_offset)
        names = f.read(strtab_size)
    for i in range(shnum):
        (name_offset,) = struct.unpack_from("<I", table, i * shentsize)
        name = names[name_offset : names.index(b"\0", name_offset)]
        if name == b".symtab" or name.startswith(b".debug_"):
            return True
    return False


def loads_aligned(path: Path) -> bool:
    """Whether every loadable segment's file offset and address agree modulo its alignment, as the
    dynamic loader demands. `strip` breaks that in some libraries that auditwheel's patchelf rewrote
    (numpy's OpenBLAS: "ELF load command address/offset not page-aligned")."""
    with path.open("rb") as f:
        head = f.read(64)
        (phoff,) = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        kind, _, offset, address, _, _, _, align = struct.unpack_from("<IIQQQQQQ", table, i * phentsize)
        if kind == _PT_LOAD and align > 1 and (offset - address) % align:
            return False
    return True


def strip_symbols(binaries: list, workdir: Path) -> tuple[list, int]:
    """The TOC with stripped copies of the binaries that have symbols, and the bytes saved. A copy
    that `strip` leaves unloadable is dropped and the original kept."""
    if not shutil.which("strip"):
        print("WARNING: strip not found (Debian/Ubuntu: apt install binutils); symbols stay in the bundle")
        return binaries, 0
    result, saved = [], 0
    for dest, src, kind in binaries:
        if kind in ("BINARY", "EXTENSION") and has_symbols(Path(src)):
            copy = workdir / "stripped" / dest
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy)
            subprocess.run(["strip", "--strip-unneeded", str(copy)], check=True)
            if loads_aligned(copy):
                saved += Path(src).stat().st_size - copy.stat().st_size
                src = str(copy)
        result.append((dest, src, kind))
    return result, saved


def empty_icu_data(binaries: list, workdir: Path) -> tuple[list, int]:
    """The TOC with ICU's data library replaced by one built from icudata_stub.c, and the bytes saved.
    Without a C compiler the real library stays."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    result, saved = [], 0
    for dest, src, kind in binaries:
        match = ICU_DATA.search(Path(dest).name)
        if match and compiler:
            stub = workdir / "icu" / Path(dest).name
            stub.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    compiler,
                    "-shared",
                    "-fPIC",
                    "-O2",
                    "-s",
                    f"-DICU_DATA_SYMBOL=icudt{match[1]}_dat",
                    f"-Wl,-soname,{stub.name}",
                    "-o",
                    str(stub),
                    str(STUB_SOURCE),
                ],
                check=True,
            )
            saved += Path(src).stat().st_size - stub.stat().st_size
            src = str(stub)
        elif match:
            print("WARNING: no C compiler (Debian/Ubuntu: apt install gcc); ICU's 31 MB data library ships")
        result.append((dest, src, kind))
    return result, saved
