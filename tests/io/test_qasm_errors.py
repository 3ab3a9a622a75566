"""Malformed OpenQASM 2: every case raises suanli.QasmError at the exact line and column, with a one-line reason.

Positions are 1-based; the column counts characters (a tab is one column). Most programs below start with
``HEAD`` (two lines: the header and the qelib1 include), so their first own line is line 3.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from suanli import QasmError, QasmWarning, load_qasm, loads_qasm

HEAD = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
Q1 = HEAD + "qreg q[1];\n"  # line 4 is the first statement after the register
Q2 = HEAD + "qreg q[2];\n"
QC = HEAD + "qreg q[1];\ncreg c[1];\n"  # line 5 is the first statement after the registers
QC2 = HEAD + "qreg q[1];\ncreg c[2];\n"


def _chain(n: int) -> str:
    """n nested gate definitions g0 <- g1 <- ... (each calls the previous one)."""
    return "gate g0 a { h a; }\n" + "".join(f"gate g{i} a {{ g{i - 1} a; }}\n" for i in range(1, n))


# (id, program, line, column, substring of the reason)
CASES: list[tuple[str, str, int, int, str]] = [
    # --- registers -------------------------------------------------------------------------------------------
    ("undeclared-qreg", Q2 + "h r[0];", 4, 3, "undeclared quantum register 'r'"),
    ("undeclared-creg", Q1 + "measure q[0] -> c[0];", 4, 17, "undeclared classical register 'c'"),
    ("qindex-out-of-range", Q2 + "h q[2];", 4, 5, "index 2 is out of range for register 'q' of size 2"),
    ("cindex-out-of-range", QC + "measure q[0] -> c[1];", 5, 19, "index 1 is out of range for register 'c' of size 1"),
    ("huge-index", Q1 + "h q[99999999999999999999];", 4, 5, "is out of range for register 'q'"),
    ("duplicate-qreg", Q2 + "qreg q[3];", 4, 6, "register 'q' is already declared"),
    ("duplicate-q-and-c", Q1 + "creg q[1];", 4, 6, "register 'q' is already declared"),
    ("zero-size-register", HEAD + "qreg q[0];", 3, 8, "a register must hold at least one bit"),
    ("negative-size", HEAD + "qreg q[-1];", 3, 8, "expected a register size (a non-negative integer), found '-'"),
    ("real-size", HEAD + "qreg q[1.5];", 3, 8, "found '1.5'"),
    ("too-many-qubits", HEAD + "qreg q[4000];\nqreg r[100];", 4, 8, "more than 4096 qubits"),
    ("too-many-clbits", HEAD + "creg c[1048577];", 3, 8, "more than 2^20 classical bits"),
    ("keyword-register-name", HEAD + "qreg pi[1];", 3, 6, "expected a register name, found the keyword 'pi'"),
    ("quantum-where-classical", QC + "measure q[0] -> q[0];", 5, 17, "'q' is a quantum register; a classical one"),
    ("classical-where-quantum", QC + "h c[0];", 5, 3, "'c' is a classical register; a quantum one"),
    # --- gates: names, arity, parameters ---------------------------------------------------------------------
    ("unknown-gate-suggestion", Q1 + "hh q[0];", 4, 1, "unknown gate 'hh'; did you mean 'h'?"),
    ("unknown-gate", Q1 + "frobnicate q[0];", 4, 1, "unknown gate 'frobnicate'"),
    ("table-gate-not-in-qelib1", Q2 + "fsim(0.1,0.2) q[0],q[1];", 4, 1,
     "unknown gate 'fsim' ('fsim' is not in qelib1.inc; define it with a 'gate' statement)"),
    ("table-gate-close-to-qelib1", Q2 + "iswap q[0],q[1];", 4, 1, "unknown gate 'iswap'; did you mean 'swap'"),
    ("missing-include-hint", "OPENQASM 2.0;\nqreg q[2];\ncx q[0],q[1];", 3, 1,
     "gate 'cx' is not defined; add 'include \"qelib1.inc\";' after the header"),
    ("missing-include-file", HEAD + 'include "no/such/file.inc";\n', 3, 9,
     "included file 'no/such/file.inc' not found"),
    ("include-not-a-string", "OPENQASM 2.0;\ninclude qelib1;", 2, 9, "expected a file name in double quotes"),
    ("include-unquoted-dotted-name", "OPENQASM 2.0;\ninclude qelib1.inc;", 2, 15, "unexpected character '.'"),
    ("include-nul-in-name", HEAD + 'include "a\x00b.inc";', 3, 9, "NUL"),
    ("too-many-params", Q1 + "rx(1,2) q[0];", 4, 1, "gate 'rx' takes 1 parameter(s), but 2 are given"),
    ("missing-params", Q1 + "rx q[0];", 4, 1, "gate 'rx' takes 1 parameter(s), but 0 are given"),
    ("params-for-fixed-gate", Q1 + "h(0.5) q[0];", 4, 1, "gate 'h' takes 0 parameter(s), but 1 are given"),
    ("U-two-params", Q1 + "U(0,0) q[0];", 4, 1, "gate 'U' takes 3 parameter(s), but 2 are given"),
    ("CX-with-param", "OPENQASM 2.0;\nqreg q[2];\nCX(0) q[0],q[1];", 3, 1, "gate 'CX' takes 0 parameter(s)"),
    ("too-few-qubits", Q2 + "cx q[0];", 4, 1, "gate 'cx' acts on 2 qubit(s), but 1 are given"),
    ("too-many-qubits-in-call", Q2 + "h q[0],q[1];", 4, 1, "gate 'h' acts on 1 qubit(s), but 2 are given"),
    ("custom-wrong-qubits", HEAD + "gate g(t) a { rx(t) a; }\nqreg q[2];\ng(1) q[0],q[1];", 5, 1,
     "gate 'g' acts on 1 qubit(s), but 2 are given"),
    ("custom-wrong-params", HEAD + "gate g(t) a { rx(t) a; }\nqreg q[1];\ng q[0];", 5, 1,
     "gate 'g' takes 1 parameter(s), but 0 are given"),
    ("broadcast-size-mismatch", Q2 + "qreg r[3];\ncx q,r;", 5, 4, "registers of different sizes [2, 3]"),
    ("same-qubit-twice", Q2 + "cx q[1],q[1];", 4, 1, "gate 'cx' is applied to the same qubit twice"),
    ("same-qubit-by-broadcast", Q2 + "cx q,q;", 4, 1, "applied to the same qubit twice"),
    ("same-qubit-mixed-broadcast", Q2 + "cx q[0],q;", 4, 1, "applied to the same qubit twice"),
    ("same-qubit-in-gate-body", HEAD + "gate g a,b { cx a,a; }", 3, 17, "a qubit is used twice in one call of 'cx'"),
    ("barrier-without-args", Q1 + "barrier;", 4, 8, "expected a quantum register, found ';'"),
    # --- punctuation and structure ---------------------------------------------------------------------------
    ("missing-semicolon", Q1 + "h q[0]\nx q[0];", 5, 1, "expected ';' after the gate's arguments, found 'x'"),
    ("missing-semicolon-at-eof", Q1 + "h q[0]", 4, 7, "expected ';' after the gate's arguments, found end of file"),
    ("missing-semicolon-after-qreg", HEAD + "qreg q[1]\nh q[0];", 4, 1, "expected ';' after the register declaration"),
    ("missing-semicolon-after-header", "OPENQASM 2.0\nqreg q[1];", 2, 1, "expected ';' after the version"),
    ("unclosed-index", Q1 + "h q[0", 4, 6, "expected ']' after the index, found end of file"),
    ("unclosed-param-list", Q1 + "rx(pi q[0];", 4, 7, "expected ',' or ')' in the parameter list, found 'q'"),
    ("empty-param", Q1 + "rx(,) q[0];", 4, 4, "expected a number, pi, a parameter or '('"),
    ("extra-close-paren", Q1 + "rx(1)) q[0];", 4, 6, "expected a quantum register, found ')'"),
    ("missing-arrow", QC + "measure q[0] c[0];", 5, 14, "expected '->' between the qubit and the classical bit"),
    ("stray-semicolon", Q1 + ";", 4, 1, "expected a statement, found ';'"),
    ("garbage-after-statement", Q1 + "h q[0]; }", 4, 9, "expected a statement, found '}'"),
    ("garbage-word-after-statement", Q1 + "h q[0]; garbage", 4, 9, "unknown gate 'garbage'"),
    ("garbage-number", Q1 + "h q[0]; 42", 4, 9, "expected a statement, found '42'"),
    ("header-twice", HEAD + "OPENQASM 2.0;", 3, 1, "the OPENQASM header must be the first statement"),
    ("version-3", "OPENQASM 3.0;\nqubit q;", 1, 10, "OpenQASM 3 is not supported"),
    ("version-3-int", "OPENQASM 3;\nqubit[2] q;", 1, 10, "OpenQASM 3 is not supported"),
    ("version-1", "OPENQASM 1.0;\nqreg q[1];", 1, 10, "unsupported OpenQASM version 1.0"),
    ("header-without-version", "OPENQASM;", 1, 9, "expected a version number after OPENQASM"),
    # --- lexical ---------------------------------------------------------------------------------------------
    ("unterminated-block-comment", Q1 + "/* never closed\nh q[0];", 4, 1, "unterminated block comment (missing */)"),
    ("nested-block-comment", Q1 + "/* a /* b */ c */", 4, 14, "unknown gate 'c'"),
    ("unterminated-string", 'OPENQASM 2.0;\ninclude "qelib1.inc;\nqreg q[1];', 2, 9, "unterminated string"),
    ("unterminated-gate-body", Q1 + "gate g a { h a;\n", 5, 1, "unterminated body of gate 'g' (missing '}')"),
    ("bad-char-at", Q1 + "h q[0]; @", 4, 9, "unexpected character '@'"),
    ("bad-char-hash", Q1 + "#pragma\nh q[0];", 4, 1, "unexpected character '#'"),
    ("bad-char-control", Q1 + "h\x01 q[0];", 4, 2, "U+0001"),
    ("bad-char-nul", Q1 + "\x00", 4, 1, "U+0000"),
    ("bad-char-escape", Q1 + "h q[0];\x1b[0m", 4, 8, "U+001B"),
    ("non-ascii-register", HEAD + "qreg q\u00e9[1];", 3, 7, "unexpected character '\u00e9'"),
    ("non-ascii-greek-param", HEAD + "gate g(\u03b8) a { }", 3, 8, "unexpected character '\u03b8'"),
    ("non-ascii-emoji", Q1 + "h q[0];\U0001f600", 4, 8, "unexpected character"),
    ("single-equals-in-if", QC + "if(c=1) x q[0];", 5, 5, "unexpected character '='"),
    # --- expressions -----------------------------------------------------------------------------------------
    ("division-by-zero", Q1 + "rx(1/0) q[0];", 4, 5, "division by zero"),
    ("division-by-zero-real", Q1 + "rx(pi/0.0) q[0];", 4, 6, "division by zero"),
    ("zero-to-negative-power", Q1 + "rx(0^-1) q[0];", 4, 5, "division by zero"),
    ("ln-zero", Q1 + "rx(ln(0)) q[0];", 4, 4, "ln() of this value is undefined"),
    ("ln-negative", Q1 + "rx(1 + ln(-1)) q[0];", 4, 8, "ln() of this value is undefined"),
    ("sqrt-negative", Q1 + "rx(sqrt(-1)) q[0];", 4, 4, "sqrt() of this value is undefined"),
    ("exp-overflow", Q1 + "rx(exp(1000)) q[0];", 4, 4, "exp() of this value is undefined"),
    ("product-overflow", Q1 + "rx(1e308*10) q[0];", 4, 9, "overflows"),
    ("literal-overflow", Q1 + "rx(1e400) q[0];", 4, 4, "number 1e400 is out of range"),
    ("negative-base-fractional-power", Q1 + "rx((-1)^0.5) q[0];", 4, 8, "negative number raised to a fractional power"),
    ("unknown-identifier-in-expression", Q1 + "rx(theta) q[0];", 4, 4, "unknown identifier 'theta' in an expression"),
    ("register-in-expression", Q1 + "rx(q) q[0];", 4, 4, "unknown identifier 'q'"),
    ("function-without-argument", Q1 + "rx(sin) q[0];", 4, 4, "unknown identifier 'sin'"),
    ("deep-parentheses-10000", Q1 + "rx(" + "(" * 10000 + "1" + ")" * 10000 + ") q[0];", 4, 105,
     "expression nested more than 100 levels deep"),
    ("deep-unary-minus-10000", Q1 + "rx(" + "-" * 10000 + "1) q[0];", 4, 105, "nested more than 100 levels deep"),
    ("deep-functions", Q1 + "rx(" + "sin(" * 200 + "1" + ")" * 200 + ") q[0];", 4, 408, "nested more than 100"),
    ("long-power-chain", Q1 + "rx(" + "^".join(["1"] * 5000) + ") q[0];", 4, 207, "nested more than 100"),
    ("very-long-sum", Q1 + "rx(" + "+".join(["1"] * 20001) + ") q[0];", 4, 20005, "expression too long"),
    ("very-long-gate-body-expression", HEAD + "gate g(t) a { rx(" + "+".join(["t"] * 5000) + ") a; }", 3, 18,
     "expression too complex"),
    ("deep-gate-body-product", HEAD + "gate g(t) a { rx(" + "*".join(["t"] * 300) + ") a; }", 3, 18,
     "expression too complex"),
    # --- domain errors visible only when a custom gate is called (reported at the call) -----------------------
    ("domain-error-at-call-ln", HEAD + "gate g(t) a { rx(ln(t)) a; }\nqreg q[1];\ng(1) q[0];\ng(0) q[0];", 6, 1,
     "gate 'g' cannot be evaluated with these parameters"),
    ("domain-error-at-call-div", HEAD + "gate g(t) a { rx(1/t) a; }\nqreg q[1];\ng(0) q[0];", 5, 1, "division by zero"),
    ("domain-error-nested-call", HEAD + "gate g(t) a { rx(sqrt(t)) a; }\ngate k(s) a { g(s-1) a; }\nqreg q[1];\n"
     "k(2) q[0];\nk(0.5) q[0];", 7, 1, "gate 'k' cannot be evaluated with these parameters"),
    ("domain-error-overflow-at-call", HEAD + "gate g(t) a { rx(exp(t)) a; }\nqreg q[2];\ng(1000) q;", 5, 1,
     "gate 'g' cannot be evaluated"),
    ("domain-error-in-if", HEAD + "gate g(t) a { rx(t^0.5) a; }\nqreg q[1];\ncreg c[1];\nif(c==0) g(-1) q[0];", 6, 10,
     "gate 'g' cannot be evaluated"),
    # --- gate definitions ------------------------------------------------------------------------------------
    ("redefine-user-gate", HEAD + "gate g a { h a; }\ngate g a { x a; }", 4, 6,
     "gate 'g' is already defined at bad.qasm:3:6"),
    ("redefine-opaque", HEAD + "opaque g a;\nopaque g a;", 4, 8, "gate 'g' is already defined at bad.qasm:3:8"),
    ("self-recursive-gate", HEAD + "gate g a { g a; }", 3, 12, "gate 'g' cannot call itself"),
    ("call-before-definition", HEAD + "gate f a { g a; }\ngate g a { h a; }", 3, 12, "unknown gate 'g'"),
    ("redefine-builtin-U", HEAD + "gate U a { }", 3, 6, "found the keyword 'U'"),
    ("qelib1-after-definition", "OPENQASM 2.0;\ngate h a { U(pi/2,0,pi) a; }\ninclude \"qelib1.inc\";", 3, 9,
     "qelib1.inc defines 'h', which is already defined at bad.qasm:2:6"),
    ("duplicate-formal", HEAD + "gate g(a,a) b { }", 3, 10, "the name 'a' is used twice in the gate's signature"),
    ("param-and-qubit-same-name", HEAD + "gate g(a) a { }", 3, 11, "the name 'a' is used twice"),
    ("gate-without-qubits", HEAD + "gate g(t) { }", 3, 11, "expected a qubit name, found '{'"),
    ("gate-without-body", HEAD + "gate g(t) a;", 3, 12, "expected '{' to start the gate body, found ';'"),
    ("unknown-qubit-in-body", HEAD + "gate g a { h b; }", 3, 14, "'b' is not a qubit of gate 'g'"),
    ("unknown-param-in-body", HEAD + "gate g(t) a { rx(s) a; }", 3, 18, "'s' is not a parameter of this gate"),
    ("measure-in-body", HEAD + "gate g a { measure a -> c; }", 3, 12, "'measure' is not allowed inside a gate body"),
    ("reset-in-body", HEAD + "gate g a { reset a; }", 3, 12, "'reset' is not allowed inside a gate body"),
    ("indexed-qubit-in-body", HEAD + "gate g a { h a[0]; }", 3, 15, "expected ',' or ';' in the list of qubit names"),
    ("opaque-with-body", HEAD + "opaque g a { }", 3, 12, "expected ';' after the opaque declaration, found '{'"),
    ("gates-nest-too-deep", HEAD + _chain(70), 67, 6, "gate definitions nest deeper than 64 levels"),
    # --- measure / if ----------------------------------------------------------------------------------------
    ("measure-size-mismatch", Q2 + "creg c[3];\nmeasure q -> c;", 5, 1, "measure: 2 qubit(s) and 3 classical bit(s)"),
    ("measure-bit-to-register", QC2 + "measure q[0] -> c;", 5, 1, "measure: 1 qubit(s) and 2 classical bit(s)"),
    ("if-on-quantum-register", QC + "if(q==1) x q[0];", 5, 4, "'q' is a quantum register; if() needs a classical"),
    ("if-undeclared", QC + "if(d==1) x q[0];", 5, 4, "undeclared classical register 'd'"),
    ("if-value-too-large", QC2 + "if(c==4) x q[0];", 5, 7, "value 4 does not fit in 2 classical bit(s)"),
    ("if-value-huge", QC2 + "if(c==123456789012345678901234567890) x q[0];", 5, 7, "does not fit in 2"),
    ("if-negative-value", QC + "if(c==-1) x q[0];", 5, 7, "expected the value to compare with"),
    ("if-bit-value-too-large", QC2 + "if(c[1]==2) x q[0];", 5, 10, "value 2 does not fit in 1 classical bit(s)"),
    ("if-bit-out-of-range", QC2 + "if(c[2]==1) x q[0];", 5, 6, "index 2 is out of range"),
    ("if-barrier", QC + "if(c==0) barrier q;", 5, 10, "a barrier cannot be conditioned"),
    ("nested-if", QC + "if(c==1) if(c==1) x q[0];", 5, 10, "expected a gate, measure or reset after if(...)"),
    ("if-without-statement", QC + "if(c==1)", 5, 9, "found end of file"),
]


def test_table_is_big_and_ids_unique() -> None:
    assert len(CASES) >= 50
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("text", "line", "column", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_program(text: str, line: int, column: int, reason: str) -> None:
    with pytest.raises(QasmError) as info:
        loads_qasm(text, filename="bad.qasm")
    e = info.value
    assert (e.line, e.column) == (line, column), e.reason
    assert reason in e.reason
    assert e.filename == "bad.qasm"
    assert "\n" not in e.reason and e.reason.strip() == e.reason and e.reason
    assert str(e) == f"bad.qasm:{line}:{column}: {e.reason}"


def test_missing_header_and_error_both_located() -> None:
    with pytest.warns(QasmWarning, match=r"<string>:1:1"), pytest.raises(QasmError) as info:
        loads_qasm("qreg q[1];\nh q[0];")
    assert (info.value.line, info.value.column) == (2, 1)


def test_redefinition_error_names_included_definition(tmp_path: Path) -> None:
    (tmp_path / "defs.inc").write_text("// defs\ngate g a { h a; }\n", encoding="utf-8")
    with pytest.raises(QasmError) as info:
        loads_qasm(HEAD + 'include "defs.inc";\ngate g a { x a; }\n', base_dir=tmp_path)
    e = info.value
    assert (e.line, e.column) == (4, 6)
    assert f"already defined at {(tmp_path / 'defs.inc').resolve()}:2:6" in e.reason


# ---------------------------------------------------------------------------------------------------------
# the empty program is valid (decided: a zero-qubit circuit, with the missing-header warning)
# ---------------------------------------------------------------------------------------------------------
def test_empty_file_is_valid(tmp_path: Path) -> None:
    f = tmp_path / "empty.qasm"
    f.write_bytes(b"")
    with pytest.warns(QasmWarning, match="no 'OPENQASM 2.0;' header"):
        c = load_qasm(f)
    assert (c.num_qubits, c.num_clbits, len(c)) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------------------
def test_non_utf8_file_reports_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "latin1.qasm"
    f.write_bytes(b'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\n// caf\xe9\nh q[0];\n')
    with pytest.raises(QasmError) as info:
        load_qasm(f)
    e = info.value
    assert (e.filename, e.line, e.column) == (str(f), 4, 7)
    assert "not UTF-8" in e.reason


@pytest.mark.parametrize("seed", range(8))
def test_binary_garbage_file(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    data = bytes(rnd.randrange(256) for _ in range(4096))
    f = tmp_path / f"garbage{seed}.qasm"
    f.write_bytes(data)
    with pytest.raises(QasmError) as info:
        load_qasm(f)
    e = info.value
    assert e.filename == str(f) and e.line is not None and e.column is not None
    assert e.line >= 1 and e.column >= 1
    assert "\n" not in e.reason


def test_binary_garbage_that_is_valid_utf8(tmp_path: Path) -> None:
    f = tmp_path / "ctrl.qasm"
    f.write_bytes(b"OPENQASM 2.0;\n\x00\x01\x02\x7f")
    with pytest.raises(QasmError) as info:
        load_qasm(f)
    assert (info.value.line, info.value.column) == (2, 1) and "U+0000" in info.value.reason


def test_directory_path(tmp_path: Path) -> None:
    with pytest.raises(QasmError) as info:
        load_qasm(tmp_path)
    e = info.value
    assert e.filename == str(tmp_path) and "directory" in e.reason
    assert (e.line, e.column) == (None, None)
    assert str(e) == f"{tmp_path}: {e.reason}"


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "absent.qasm"
    with pytest.raises(QasmError) as info:
        load_qasm(missing)
    e = info.value
    assert e.filename == str(missing) and "no such file" in e.reason
    assert (e.line, e.column) == (None, None)


def test_text_that_is_not_a_string() -> None:
    with pytest.raises(QasmError, match="expected program text"):
        loads_qasm(b"OPENQASM 2.0;")  # type: ignore[arg-type]


def test_deep_nesting_never_raises_recursion_error() -> None:
    # many shapes of deep nesting; each is a QasmError with a location (never RecursionError)
    texts = [
        Q1 + "rx(" + "(" * 100_000 + ") q[0];",
        Q1 + "rx(" + "-(" * 5000 + "1" + ")" * 5000 + ") q[0];",
        Q1 + "rx(" + "sqrt(" * 5000 + ") q[0];",
        HEAD + "gate g(t) a { rx(" + "-" * 5000 + "t) a; }",
        HEAD + "gate g(t) a { rx(" + "(t+" * 95 + "t" + ")" * 95 + "+t" * 200 + ") a; }",
        HEAD + "gate g(t) a { rx(" + "t^" * 3000 + "t) a; }",
        HEAD + _chain(2000),
        "OPENQASM 2.0;\n" + "/*" * 10000,
        "OPENQASM 2.0;\n" + "{" * 10000,
    ]
    for text in texts:
        with pytest.raises(QasmError) as info:
            loads_qasm(text)
        assert info.value.line is not None and info.value.column is not None, info.value


def test_domain_error_deep_in_exponential_expansion_is_found() -> None:
    """g_i(t) calls g_{i-1} twice (t-1 and t): 2^40 paths, but only ~40^2 distinct (gate, value) pairs. The one
    path that reaches g0(0) = rx(ln(0)) must be found (the checker must not give up after a budget of steps)."""
    n = 40
    text = HEAD + "gate g0(t) a { rx(ln(t)) a; }\n" + "".join(
        f"gate g{i}(t) a {{ g{i - 1}(t-1) a; g{i - 1}(t) a; }}\n" for i in range(1, n)
    ) + f"qreg q[1];\ng{n - 1}({n}) q[0];\ng{n - 1}({n - 1}) q[0];\n"
    with pytest.raises(QasmError) as info:
        loads_qasm(text)
    assert (info.value.line, info.value.column) == (n + 5, 1)
    assert f"gate 'g{n - 1}' cannot be evaluated with these parameters" in info.value.reason
