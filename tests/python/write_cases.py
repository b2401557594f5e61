"""Helpers for crates/brine-pickle/tests/write_*.rs: CPython's own bytes for Python expressions.

Usage: write_cases.py dumps        (expressions on stdin, one per line; prints one line per
                                    expression: the hex of pickle.dumps(value, protocol=p) for
                                    p = 0..5, space-separated)
       write_cases.py loads        (lines "expr<TAB>hex" on stdin; prints "ok" or "bad <why>" for
                                    each: pickle.loads(bytes) must equal eval(expr))
"""

import collections
import pickle
import sys


class Outer:
    class Inner:
        pass


class Point:
    def __init__(self, x=1, y=2):
        self.x = x
        self.y = y

    def __eq__(self, other):
        return type(other) is Point and vars(self) == vars(other)


class Kw:
    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        self.args = args
        self.kwargs = kwargs
        return self

    def __getnewargs_ex__(self):
        return self.args, self.kwargs

    def __eq__(self, other):
        return type(other) is Kw and (self.args, self.kwargs) == (other.args, other.kwargs)


def rec_list():
    l = []
    l.append(l)
    return l


def rec_dict():
    d = {}
    d[1] = d
    return d


def tuple_list_tuple(n=1):
    l = []
    t = tuple(range(n - 1)) + (l,)
    l.append(t)
    return t


def tuple_call_list():
    l = []
    t = (complex(1, 1), l)
    l.append(t)
    return t


def list_tuple_list(n=1):
    l = []
    t = tuple(range(n - 1)) + (l,)
    l.append(t)
    return l


def nested(depth):
    x = [1]
    for i in range(depth):
        x = [x, (i, x), {i: x}]
    return x


def shared():
    a = [1, 2]
    s = "shared"
    return [a, a, s, s, (a, s)]


def rec_object():
    p = Point()
    p.x = p
    return p


def _eq(a, b, seen):
    if type(a) is not type(b):
        return False
    key = (id(a), id(b))
    if key in seen:
        return True
    seen.add(key)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_eq(x, y, seen) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(_eq(a[k], b[k], seen) for k in a)
    if isinstance(a, float) and a != a:
        return b != b
    if hasattr(a, "__dict__") and not isinstance(a, type):
        return _eq(vars(a), vars(b), seen)
    return a == b


def main():
    sys.set_int_max_str_digits(0)
    mode = sys.argv[1]
    out = []
    for line in sys.stdin.read().split("\n"):
        if not line:
            continue
        if mode == "dumps":
            value = eval(line)
            out.append(" ".join(pickle.dumps(value, protocol=p).hex() for p in range(6)))
        else:
            expr, data = line.split("\t")
            try:
                got = pickle.loads(bytes.fromhex(data))
            except Exception as e:  # noqa: BLE001
                out.append(f"bad loads failed: {e!r}")
                continue
            want = eval(expr)
            out.append("ok" if _eq(want, got, set()) else f"bad got {got!r}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
