"""Classes whose instances are pickled into tests/fixtures/pickle/ (see tests/fixtures/generate.py).

The fixtures refer to them as `fixture_classes.<Name>`, so tests/python must be on sys.path when
loading them with CPython (tests/python/check_pickle.py and the generator arrange that). Each class
exercises one way CPython's pickler writes an object: the comments say which opcodes to expect.
"""


class Classic:
    """A plain instance: NEWOBJ (protocol 2+) or copyreg._reconstructor (0-1), BUILD with __dict__."""

    def __init__(self, a=None, b=None):
        self.a = a
        self.b = b


class Slotted:
    """`__slots__` and no `__dict__`: BUILD with the state `(None, {slot: value})`."""

    __slots__ = ("x", "y")

    def __init__(self, x=None, y=None):
        self.x = x
        self.y = y


class ListLike:
    """`__reduce__` returning a list iterator: APPEND/APPENDS on the object, not on a list."""

    def __init__(self, items=()):
        self.items = list(items)

    def append(self, item):
        self.items.append(item)

    def extend(self, items):
        self.items.extend(items)

    def __reduce__(self):
        return (ListLike, (), None, iter(self.items))


class TaggedDict(dict):
    """A dict subclass with an attribute: NEWOBJ, BUILD with __dict__, SETITEMS on the object."""

    def __init__(self, *args, tag=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag = tag


class KeywordOnly:
    """`__getnewargs_ex__` with keyword arguments: NEWOBJ_EX at protocol 4+."""

    def __new__(cls, a, *, b):
        self = super().__new__(cls)
        self.a = a
        self.b = b
        return self

    def __getnewargs_ex__(self):
        return (self.a,), {"b": self.b}


class WithState:
    """`__getstate__`/`__setstate__` with a tuple state: BUILD calls `__setstate__`."""

    def __init__(self, name="", values=()):
        self.name = name
        self.values = list(values)

    def __getstate__(self):
        return (self.name, tuple(self.values))

    def __setstate__(self, state):
        self.name, values = state
        self.values = list(values)


class PersistentRef:
    """What a persistent id stands for: loading maps `pid` to `PersistentRef(pid)` and back."""

    def __init__(self, pid):
        self.pid = pid

    def __repr__(self):
        return "PersistentRef(%r)" % (self.pid,)


def persistent_load(pid):
    """`Unpickler.persistent_load` for the fixtures that hold persistent ids."""
    return PersistentRef(pid)


def persistent_id(obj):
    """`Pickler.persistent_id` matching `persistent_load`."""
    if isinstance(obj, PersistentRef):
        return obj.pid
    return None


class Py2Classic:
    """Python 2 pickles a classic (old-style) class of this name with INST (0) or OBJ (1-2)."""


class Py2New(object):
    """Python 2 pickles a new-style class of this name with copy_reg._reconstructor or NEWOBJ."""
