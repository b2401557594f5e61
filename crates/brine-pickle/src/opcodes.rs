//! The table of pickle opcodes: the single source for the reader, the writer and the disassembler.
//!
//! Every opcode of protocols 0 to 5 is listed once, in [`OPCODES`], with its byte, its name as
//! `pickletools` spells it, the kind of argument that follows it in the stream, and the protocol
//! that introduced it. [`Opcode`] is the same list as an enum, for `match`.
//!
//! ```
//! use brine_pickle::opcodes::{Opcode, ArgKind};
//! let op = Opcode::from_byte(b'K').unwrap();
//! assert_eq!(op, Opcode::BinInt1);
//! assert_eq!(op.name(), "BININT1");
//! assert_eq!(op.info().arg, ArgKind::U1);
//! assert_eq!(op.info().proto, 1);
//! ```

/// How the argument of an opcode is laid out in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// No argument.
    None,
    /// One unsigned byte.
    U1,
    /// Two bytes, unsigned little-endian.
    U2,
    /// Four bytes, signed little-endian.
    I4,
    /// Four bytes, unsigned little-endian.
    U4,
    /// Eight bytes, unsigned little-endian.
    U8,
    /// Eight bytes, a big-endian IEEE 754 double.
    F8,
    /// A decimal integer ended by a newline (`I`, `GET`, `PUT`): may also be `00`/`01` for bools.
    DecimalNl,
    /// A decimal long ended by a newline, with an optional trailing `L` (`LONG`).
    LongNl,
    /// A float in text ended by a newline (`FLOAT`).
    FloatNl,
    /// A Python-quoted string literal ended by a newline (`STRING`).
    StringNl,
    /// An unescaped string ended by a newline (`PERSID`).
    StringNlNoEscape,
    /// Two unescaped strings, each ended by a newline (`GLOBAL`, `INST`).
    StringNlPair,
    /// A `raw-unicode-escape` string ended by a newline (`UNICODE`).
    UnicodeNl,
    /// A one-byte length, then that many bytes.
    Bytes1,
    /// A four-byte signed length, then that many bytes (`BINSTRING`).
    Bytes4Signed,
    /// A four-byte unsigned length, then that many bytes.
    Bytes4,
    /// An eight-byte length, then that many bytes.
    Bytes8,
    /// A one-byte length, then a little-endian two's-complement integer (`LONG1`).
    Long1,
    /// A four-byte signed length, then a little-endian two's-complement integer (`LONG4`).
    Long4,
}

/// What the table knows of one opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpcodeInfo {
    /// The opcode as an enum.
    pub op: Opcode,
    /// The byte that stands for it in the stream.
    pub code: u8,
    /// Its name as `pickletools` spells it, e.g. `"SHORT_BINUNICODE"`.
    pub name: &'static str,
    /// The argument that follows the byte.
    pub arg: ArgKind,
    /// The protocol that introduced it.
    pub proto: u8,
    /// One line on what it does.
    pub doc: &'static str,
}

macro_rules! opcodes {
    ($( $variant:ident = $code:literal, $name:literal, $arg:ident, $proto:literal, $doc:literal; )*) => {
        /// A pickle opcode. The discriminant is the opcode's byte.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Opcode {
            $(
                #[doc = $doc]
                $variant = $code,
            )*
        }

        const TABLE: &[OpcodeInfo] = &[
            $( OpcodeInfo { op: Opcode::$variant, code: $code, name: $name, arg: ArgKind::$arg, proto: $proto, doc: $doc }, )*
        ];
    };
}

opcodes! {
    Int = 0x49, "INT", DecimalNl, 0, "Push an int (or bool, for `I00`/`I01`) written in decimal.";
    BinInt = 0x4a, "BININT", I4, 1, "Push a four-byte signed int.";
    BinInt1 = 0x4b, "BININT1", U1, 1, "Push a one-byte unsigned int.";
    BinInt2 = 0x4d, "BININT2", U2, 1, "Push a two-byte unsigned int.";
    Long = 0x4c, "LONG", LongNl, 0, "Push a long written in decimal.";
    Long1 = 0x8a, "LONG1", Long1, 2, "Push a long from a one-byte-length two's-complement encoding.";
    Long4 = 0x8b, "LONG4", Long4, 2, "Push a long from a four-byte-length two's-complement encoding.";
    String = 0x53, "STRING", StringNl, 0, "Push a Python 2 str, written as a quoted literal.";
    BinString = 0x54, "BINSTRING", Bytes4Signed, 1, "Push a Python 2 str with a four-byte length.";
    ShortBinString = 0x55, "SHORT_BINSTRING", Bytes1, 1, "Push a Python 2 str with a one-byte length.";
    BinBytes = 0x42, "BINBYTES", Bytes4, 3, "Push bytes with a four-byte length.";
    ShortBinBytes = 0x43, "SHORT_BINBYTES", Bytes1, 3, "Push bytes with a one-byte length.";
    BinBytes8 = 0x8e, "BINBYTES8", Bytes8, 4, "Push bytes with an eight-byte length.";
    ByteArray8 = 0x96, "BYTEARRAY8", Bytes8, 5, "Push a bytearray with an eight-byte length.";
    NextBuffer = 0x97, "NEXT_BUFFER", None, 5, "Push the next out-of-band buffer.";
    ReadonlyBuffer = 0x98, "READONLY_BUFFER", None, 5, "Make the buffer on top of the stack read-only.";
    None = 0x4e, "NONE", None, 0, "Push None.";
    NewTrue = 0x88, "NEWTRUE", None, 2, "Push True.";
    NewFalse = 0x89, "NEWFALSE", None, 2, "Push False.";
    Unicode = 0x56, "UNICODE", UnicodeNl, 0, "Push a str written with raw-unicode-escape.";
    ShortBinUnicode = 0x8c, "SHORT_BINUNICODE", Bytes1, 4, "Push a UTF-8 str with a one-byte length.";
    BinUnicode = 0x58, "BINUNICODE", Bytes4, 1, "Push a UTF-8 str with a four-byte length.";
    BinUnicode8 = 0x8d, "BINUNICODE8", Bytes8, 4, "Push a UTF-8 str with an eight-byte length.";
    Float = 0x46, "FLOAT", FloatNl, 0, "Push a float written in text.";
    BinFloat = 0x47, "BINFLOAT", F8, 1, "Push a float from eight big-endian bytes.";
    EmptyList = 0x5d, "EMPTY_LIST", None, 1, "Push an empty list.";
    Append = 0x61, "APPEND", None, 0, "Append the top of the stack to the list below it.";
    Appends = 0x65, "APPENDS", None, 1, "Extend the list below the mark with the items above it.";
    List = 0x6c, "LIST", None, 0, "Build a list from the items above the mark.";
    EmptyTuple = 0x29, "EMPTY_TUPLE", None, 1, "Push an empty tuple.";
    Tuple = 0x74, "TUPLE", None, 0, "Build a tuple from the items above the mark.";
    Tuple1 = 0x85, "TUPLE1", None, 2, "Build a tuple of the top item.";
    Tuple2 = 0x86, "TUPLE2", None, 2, "Build a tuple of the two top items.";
    Tuple3 = 0x87, "TUPLE3", None, 2, "Build a tuple of the three top items.";
    EmptyDict = 0x7d, "EMPTY_DICT", None, 1, "Push an empty dict.";
    Dict = 0x64, "DICT", None, 0, "Build a dict from the key/value pairs above the mark.";
    SetItem = 0x73, "SETITEM", None, 0, "Set one key/value pair in the dict below them.";
    SetItems = 0x75, "SETITEMS", None, 1, "Set the key/value pairs above the mark in the dict below it.";
    EmptySet = 0x8f, "EMPTY_SET", None, 4, "Push an empty set.";
    AddItems = 0x90, "ADDITEMS", None, 4, "Add the items above the mark to the set below it.";
    FrozenSet = 0x91, "FROZENSET", None, 4, "Build a frozenset from the items above the mark.";
    Pop = 0x30, "POP", None, 0, "Discard the top of the stack.";
    Dup = 0x32, "DUP", None, 0, "Push the top of the stack again.";
    Mark = 0x28, "MARK", None, 0, "Push a mark.";
    PopMark = 0x31, "POP_MARK", None, 1, "Discard everything down to and including the top mark.";
    Get = 0x67, "GET", DecimalNl, 0, "Push a memo entry, index in decimal.";
    BinGet = 0x68, "BINGET", U1, 1, "Push a memo entry, one-byte index.";
    LongBinGet = 0x6a, "LONG_BINGET", U4, 1, "Push a memo entry, four-byte index.";
    Put = 0x70, "PUT", DecimalNl, 0, "Store the top of the stack in the memo, index in decimal.";
    BinPut = 0x71, "BINPUT", U1, 1, "Store the top of the stack in the memo, one-byte index.";
    LongBinPut = 0x72, "LONG_BINPUT", U4, 1, "Store the top of the stack in the memo, four-byte index.";
    Memoize = 0x94, "MEMOIZE", None, 4, "Store the top of the stack at the next memo index.";
    Ext1 = 0x82, "EXT1", U1, 2, "Push an object from the extension registry, one-byte code.";
    Ext2 = 0x83, "EXT2", U2, 2, "Push an object from the extension registry, two-byte code.";
    Ext4 = 0x84, "EXT4", I4, 2, "Push an object from the extension registry, four-byte code.";
    Global = 0x63, "GLOBAL", StringNlPair, 0, "Push a module-level object named by module and name.";
    StackGlobal = 0x93, "STACK_GLOBAL", None, 4, "Push a module-level object named by the two strs on the stack.";
    Reduce = 0x52, "REDUCE", None, 0, "Call the callable below the top with the argument tuple on top.";
    Build = 0x62, "BUILD", None, 0, "Apply the state on top to the object below it (__setstate__ or __dict__).";
    Inst = 0x69, "INST", StringNlPair, 0, "Build an instance of the named class from the items above the mark.";
    Obj = 0x6f, "OBJ", None, 1, "Build an instance of the class above the mark from the items after it.";
    NewObj = 0x81, "NEWOBJ", None, 2, "cls.__new__(cls, *args) from the class and argument tuple on the stack.";
    NewObjEx = 0x92, "NEWOBJ_EX", None, 4, "cls.__new__(cls, *args, **kwargs) from the stack.";
    Proto = 0x80, "PROTO", U1, 2, "Declare the protocol version.";
    Stop = 0x2e, "STOP", None, 0, "End the pickle; the top of the stack is its value.";
    Frame = 0x95, "FRAME", U8, 4, "Announce a frame of the given length.";
    PersId = 0x50, "PERSID", StringNlNoEscape, 0, "Push a persistent object named by a text id.";
    BinPersId = 0x51, "BINPERSID", None, 1, "Push a persistent object named by the id on the stack.";
}

const TABLE_FALLBACK: OpcodeInfo = OpcodeInfo {
    op: Opcode::Stop,
    code: 0x2e,
    name: "STOP",
    arg: ArgKind::None,
    proto: 0,
    doc: "End the pickle; the top of the stack is its value.",
};

/// Every opcode of protocols 0-5, in the order `pickletools.opcodes` lists them.
pub static OPCODES: &[OpcodeInfo] = TABLE;

/// For each byte, its row in [`OPCODES`] plus one (0: not an opcode).
static INDEX: [u8; 256] = build_index();

const fn build_index() -> [u8; 256] {
    let mut index = [0u8; 256];
    let mut row = 0;
    while row < TABLE.len() {
        index[TABLE[row].code as usize] = row as u8 + 1;
        row += 1;
    }
    index
}

#[inline]
fn row_of(byte: u8) -> Option<&'static OpcodeInfo> {
    let row = INDEX[byte as usize] as usize;
    row.checked_sub(1).and_then(|row| TABLE.get(row))
}

impl Opcode {
    /// The opcode a byte stands for, or `None` if it is not an opcode.
    #[inline]
    pub fn from_byte(byte: u8) -> Option<Opcode> {
        row_of(byte).map(|info| info.op)
    }

    /// The byte that stands for this opcode.
    #[inline]
    pub fn byte(self) -> u8 {
        self as u8
    }

    /// What the table knows of this opcode.
    pub fn info(self) -> &'static OpcodeInfo {
        // Every variant has exactly one row, so the lookup cannot miss; the fallback is never taken.
        row_of(self as u8).unwrap_or(&TABLE_FALLBACK)
    }

    /// The opcode's name as `pickletools` spells it.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_opcode_once() {
        assert_eq!(OPCODES.len(), 68);
        let mut seen = [false; 256];
        for info in OPCODES {
            assert!(!seen[info.code as usize], "{} listed twice", info.name);
            seen[info.code as usize] = true;
            assert_eq!(info.op as u8, info.code);
            assert_eq!(Opcode::from_byte(info.code), Some(info.op));
            assert_eq!(info.op.info().name, info.name);
        }
        assert_eq!(Opcode::from_byte(0xff), None);
    }
}
