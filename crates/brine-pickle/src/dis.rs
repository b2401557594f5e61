//! A disassembler in the spirit of `pickletools.dis`: one line per opcode with its offset, its byte,
//! its name indented by mark nesting, its argument, and the memo index or mark it refers to.
//!
//! ```text
//!     0: \x80 PROTO      4
//!     2: \x95 FRAME      23
//!    11: }    EMPTY_DICT
//!    12: \x94 MEMOIZE    (as 0)
//!    13: \x8c SHORT_BINUNICODE 'a'
//!    16: \x94 MEMOIZE    (as 1)
//!    17: ]    EMPTY_LIST
//!    18: \x94 MEMOIZE    (as 2)
//!    19: (    MARK
//!    20: K        BININT1    1
//!    22: K        BININT1    2
//!    24: e        APPENDS    (MARK at 19)
//!    25: s    SETITEM
//!    26: .    STOP
//! highest protocol among opcodes = 4
//! ```
//!
//! The argument of each opcode is parsed as its [`ArgKind`] in the opcode table says, and printed as
//! Python's `repr()` of what `pickletools` would give. The stack is emulated only as far as needed
//! to follow marks and check memo use. Nothing is built, so this also works on files that fail to
//! load: disassembly stops at the first error and says why.
//!
//! Differences from `pickletools.dis`, by design:
//! - after `STOP`, further pickles in the same input are disassembled too (each with a fresh memo,
//!   as separate `pickle.dump` calls write them), separated by a blank line;
//! - a memo index stored twice is accepted (as the unpickler does), not reported as an error;
//! - long arguments are cut at [`DisOptions::max_arg_len`] and followed by their size in bytes;
//! - `STRING`, `BINSTRING`, `SHORT_BINSTRING`, `GLOBAL`, `INST` and `PERSID` arguments that are not
//!   ASCII are shown decoded as Latin-1 or UTF-8 instead of failing;
//! - an error ends the listing with a line `error: ...` (offset and opcode included).
//!
//! ```
//! use brine_pickle::dis::{dis, DisOptions};
//! let (text, err) = dis(b"\x80\x02K\x2a.", &DisOptions::default());
//! assert!(err.is_none());
//! assert_eq!(text, "    0: \\x80 PROTO      2\n    2: K    BININT1    42\n    4: .    STOP\nhighest protocol among opcodes = 2\n");
//! ```

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;

use num_bigint::BigInt;

use crate::error::{Error, ErrorKind, Result};
use crate::opcodes::{ArgKind, Opcode};
use crate::read::strings::{decode_escape, raw_unicode_escape_points};
use crate::repr;
use crate::value::PyStr;

/// The default of [`DisOptions::max_indent_levels`]: listings are `pickletools`' up to this
/// depth, and each line stays under about a kilobyte however deep the nesting.
pub const DEFAULT_MAX_INDENT_LEVELS: usize = 256;

/// Options for the disassembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisOptions {
    /// Spaces per mark level (`pickletools` uses 4; at most 16 are used).
    pub indent: usize,
    /// Mark levels shown by indentation. Deeper lines are indented as much and show their level
    /// as `[N]` before the opcode name, so a listing stays linear in the input (10^6 nested
    /// marks would otherwise indent by terabytes).
    pub max_indent_levels: usize,
    /// Longest argument text to print, in bytes; `usize::MAX` for no limit.
    pub max_arg_len: usize,
    /// Go on with the pickles that follow the first `STOP`.
    pub all_pickles: bool,
    /// Add each opcode's one-line description (like `pickletools.dis(annotate=...)`).
    pub annotate: bool,
}

impl Default for DisOptions {
    fn default() -> DisOptions {
        DisOptions {
            indent: 4,
            max_indent_levels: DEFAULT_MAX_INDENT_LEVELS,
            max_arg_len: 4096,
            all_pickles: true,
            annotate: false,
        }
    }
}

/// The decoded argument of one opcode.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    /// No argument.
    None,
    /// A fixed-size integer (lengths, indexes, `BININT`...).
    Int(i128),
    /// `INT` written as `00` or `01`: a bool.
    Bool(bool),
    /// A text integer (`INT`, `LONG`), or `LONG1`/`LONG4`.
    Long(BigInt),
    /// A text integer too long to convert (more than 4300 digits): its digits as written.
    LongDigits(&'a [u8]),
    /// A float.
    Float(f64),
    /// A `str` (UTF-8 with surrogates allowed, or decoded `raw-unicode-escape`).
    Str(PyStr),
    /// A Python 2 `str` (shown decoded as Latin-1, like `pickletools`).
    Latin1(Cow<'a, [u8]>),
    /// `bytes`.
    Bytes(&'a [u8]),
    /// A `bytearray`.
    ByteArray(&'a [u8]),
    /// Two newline-ended names (`GLOBAL`, `INST`), shown as `'module name'`.
    Pair(Cow<'a, [u8]>, Cow<'a, [u8]>),
}

/// One opcode with its argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction<'a> {
    /// Offset of the opcode byte in the input.
    pub offset: u64,
    /// The opcode.
    pub op: Opcode,
    /// Its argument.
    pub arg: Arg<'a>,
    /// The offset just past the argument.
    pub end: u64,
}

/// Decodes the opcodes of the pickle starting at `pos`, one by one, through its `STOP`.
///
/// ```
/// use brine_pickle::dis::{Instructions, Arg};
/// use brine_pickle::Opcode;
/// let ops: Vec<_> = Instructions::new(b"K\x05.", 0).collect::<Result<_, _>>().unwrap();
/// assert_eq!(ops[0].op, Opcode::BinInt1);
/// assert_eq!(ops[0].arg, Arg::Int(5));
/// assert_eq!(ops[1].op, Opcode::Stop);
/// ```
pub struct Instructions<'a> {
    data: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Instructions<'a> {
    /// Opcodes of the pickle at `pos` in `data`.
    pub fn new(data: &'a [u8], pos: usize) -> Instructions<'a> {
        Instructions {
            data,
            pos,
            done: false,
        }
    }

    /// The offset of the next opcode.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for Instructions<'a> {
    type Item = Result<Instruction<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let start = self.pos;
        let result = decode_one(self.data, start);
        match &result {
            Ok(ins) => {
                self.pos = ins.end as usize;
                if ins.op == Opcode::Stop {
                    self.done = true;
                }
            }
            Err(_) => self.done = true,
        }
        Some(result)
    }
}

fn err(kind: ErrorKind, offset: usize, op: Option<Opcode>) -> Error {
    Error::new(kind, offset as u64, op)
}

fn invalid(msg: impl Into<String>, offset: usize, op: Opcode) -> Error {
    err(ErrorKind::InvalidArgument(msg.into()), offset, Some(op))
}

/// Decodes the opcode at `start`.
fn decode_one(data: &[u8], start: usize) -> Result<Instruction<'_>> {
    let byte = *data
        .get(start)
        .ok_or_else(|| err(ErrorKind::UnexpectedEof, start, None))?;
    let op =
        Opcode::from_byte(byte).ok_or_else(|| err(ErrorKind::UnknownOpcode(byte), start, None))?;
    let mut pos = start + 1;
    let eof = || err(ErrorKind::UnexpectedEof, start, Some(op));
    let mut take = |n: usize| -> Result<&[u8]> {
        let end = pos.checked_add(n).ok_or_else(eof)?;
        let slice = data.get(pos..end).ok_or_else(eof)?;
        pos = end;
        Ok(slice)
    };
    let le = |b: &[u8]| -> u64 {
        b.iter()
            .rev()
            .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
    };
    let arg = match op.info().arg {
        ArgKind::None => Arg::None,
        ArgKind::U1 => Arg::Int(i128::from(le(take(1)?))),
        ArgKind::U2 => Arg::Int(i128::from(le(take(2)?))),
        ArgKind::U4 => Arg::Int(i128::from(le(take(4)?))),
        ArgKind::U8 => Arg::Int(i128::from(le(take(8)?))),
        ArgKind::I4 => Arg::Int(i128::from(le(take(4)?) as u32 as i32)),
        ArgKind::F8 => {
            let b = take(8)?;
            let mut raw = [0u8; 8];
            raw.copy_from_slice(b);
            Arg::Float(f64::from_be_bytes(raw))
        }
        ArgKind::Bytes1 | ArgKind::Bytes4 | ArgKind::Bytes4Signed | ArgKind::Bytes8 => {
            let len = match op.info().arg {
                ArgKind::Bytes1 => le(take(1)?),
                ArgKind::Bytes4 => le(take(4)?),
                ArgKind::Bytes4Signed => {
                    let n = le(take(4)?) as u32 as i32;
                    u64::try_from(n).map_err(|_| {
                        invalid(format!("{} has negative byte count", op.name()), start, op)
                    })?
                }
                _ => le(take(8)?),
            };
            let len = usize::try_from(len).map_err(|_| eof())?;
            let body = take(len)?;
            match op {
                Opcode::ShortBinString | Opcode::BinString => Arg::Latin1(Cow::Borrowed(body)),
                Opcode::ByteArray8 => Arg::ByteArray(body),
                Opcode::ShortBinUnicode | Opcode::BinUnicode | Opcode::BinUnicode8 => Arg::Str(
                    PyStr::from_surrogatepass(body.to_vec())
                        .map_err(|_| err(ErrorKind::InvalidUtf8, start, Some(op)))?,
                ),
                _ => Arg::Bytes(body),
            }
        }
        ArgKind::Long1 | ArgKind::Long4 => {
            let len = if op.info().arg == ArgKind::Long1 {
                le(take(1)?)
            } else {
                let n = le(take(4)?) as u32 as i32;
                u64::try_from(n)
                    .map_err(|_| invalid("LONG pickle has negative byte count", start, op))?
            };
            let len = usize::try_from(len).map_err(|_| eof())?;
            Arg::Long(BigInt::from_signed_bytes_le(take(len)?))
        }
        ArgKind::DecimalNl
        | ArgKind::LongNl
        | ArgKind::FloatNl
        | ArgKind::StringNl
        | ArgKind::StringNlNoEscape
        | ArgKind::UnicodeNl
        | ArgKind::StringNlPair => {
            let mut line = || -> Result<&[u8]> {
                let rest = data.get(pos..).unwrap_or(&[]);
                let nl = rest.iter().position(|&b| b == b'\n').ok_or_else(|| {
                    invalid("no newline found when trying to read stringnl", start, op)
                })?;
                let text = rest.get(..nl).unwrap_or(&[]);
                pos += nl + 1;
                Ok(text)
            };
            match op.info().arg {
                ArgKind::DecimalNl => {
                    let text = line()?;
                    match text {
                        b"00" => Arg::Bool(false),
                        b"01" => Arg::Bool(true),
                        _ => parse_decimal(text).ok_or_else(|| bad_literal(text, start, op))?,
                    }
                }
                ArgKind::LongNl => {
                    let text = line()?;
                    let digits = text.strip_suffix(b"L").unwrap_or(text);
                    parse_decimal(digits).ok_or_else(|| bad_literal(text, start, op))?
                }
                ArgKind::FloatNl => {
                    let text = line()?;
                    let s = std::str::from_utf8(text).map_err(|_| bad_literal(text, start, op))?;
                    let v: f64 = s.trim().parse().map_err(|_| {
                        invalid(
                            format!(
                                "could not convert string to float: {}",
                                repr::bytes_repr(text)
                            ),
                            start,
                            op,
                        )
                    })?;
                    Arg::Float(v)
                }
                ArgKind::StringNl => {
                    let text = line()?;
                    let inner = strip_quotes(text).ok_or_else(|| {
                        invalid(
                            format!("no string quotes around {}", repr::bytes_repr(text)),
                            start,
                            op,
                        )
                    })?;
                    Arg::Latin1(Cow::Owned(
                        decode_escape(inner).map_err(|m| invalid(m, start, op))?,
                    ))
                }
                ArgKind::StringNlNoEscape => Arg::Latin1(Cow::Borrowed(line()?)),
                ArgKind::StringNlPair => {
                    let a = line()?;
                    let b = line()?;
                    Arg::Pair(Cow::Borrowed(a), Cow::Borrowed(b))
                }
                _ => {
                    let text = line()?;
                    let points =
                        raw_unicode_escape_points(text).map_err(|m| invalid(m, start, op))?;
                    Arg::Str(
                        PyStr::from_code_points(points)
                            .ok_or_else(|| invalid("\\Uxxxxxxxx out of range", start, op))?,
                    )
                }
            }
        }
    };
    Ok(Instruction {
        offset: start as u64,
        op,
        arg,
        end: pos as u64,
    })
}

fn bad_literal(text: &[u8], start: usize, op: Opcode) -> Error {
    invalid(
        format!(
            "invalid literal for int() with base 10: {}",
            repr::bytes_repr(text)
        ),
        start,
        op,
    )
}

/// Python's `int(text)` for a decimal literal (sign, surrounding whitespace and `_` allowed).
fn parse_decimal(text: &[u8]) -> Option<Arg<'_>> {
    let trimmed = text.trim_ascii();
    let (neg, digits) = match trimmed.first() {
        Some(b'-') => (true, trimmed.get(1..)?),
        Some(b'+') => (false, trimmed.get(1..)?),
        _ => (false, trimmed),
    };
    let ok = !digits.is_empty()
        && digits.first().is_some_and(u8::is_ascii_digit)
        && digits.last().is_some_and(u8::is_ascii_digit)
        && digits.iter().all(|&c| c.is_ascii_digit() || c == b'_')
        && !digits.windows(2).any(|w| w == b"__");
    if !ok {
        return None;
    }
    let clean: Vec<u8> = digits.iter().copied().filter(|&c| c != b'_').collect();
    if clean.len() > 4300 {
        return Some(Arg::LongDigits(trimmed));
    }
    let v = BigInt::parse_bytes(&clean, 10)?;
    Some(Arg::Long(if neg { -v } else { v }))
}

fn strip_quotes(text: &[u8]) -> Option<&[u8]> {
    for q in [b'"', b'\''] {
        if text.first() == Some(&q) {
            // As pickletools: a lone quote counts as both ends (an empty string).
            return if text.last() == Some(&q) {
                Some(text.get(1..text.len().saturating_sub(1)).unwrap_or(&[]))
            } else {
                None
            };
        }
    }
    None
}

/// Appends the `repr()` `pickletools` prints for an argument, cut after `max` bytes.
fn write_arg(out: &mut String, arg: &Arg<'_>, max: usize) {
    let start = out.len();
    let size = match arg {
        Arg::None => return,
        Arg::Int(v) => {
            let _ = write!(out, "{v}");
            return;
        }
        Arg::Bool(b) => {
            out.push_str(if *b { "True" } else { "False" });
            return;
        }
        Arg::Long(v) => {
            out.push_str(&repr::bigint_repr(v));
            return;
        }
        Arg::LongDigits(d) => {
            out.push_str(&String::from_utf8_lossy(d));
            return;
        }
        Arg::Float(v) => {
            out.push_str(&repr::float_repr(*v));
            return;
        }
        Arg::Str(s) => {
            repr::write_str(out, s.view(), max);
            s.as_bytes().len()
        }
        Arg::Latin1(b) => {
            let s = latin1(b);
            repr::write_str(out, s.view(), max);
            b.len()
        }
        Arg::Bytes(b) => {
            repr::write_bytes(out, b, false, max);
            b.len()
        }
        Arg::ByteArray(b) => {
            out.push_str("bytearray(");
            repr::write_bytes(out, b, true, max);
            out.push(')');
            b.len()
        }
        Arg::Pair(a, b) => {
            let mut joined = Vec::with_capacity(a.len() + b.len() + 1);
            joined.extend_from_slice(a);
            joined.push(b' ');
            joined.extend_from_slice(b);
            let s = match PyStr::from_surrogatepass(joined) {
                Ok(s) => s,
                Err(bytes) => latin1(&bytes),
            };
            repr::write_str(out, s.view(), max);
            a.len() + b.len() + 1
        }
    };
    if out.len() - start > max {
        let mut cut = start + max;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        let _ = write!(out, "... ({size} bytes)");
    }
}

fn latin1(b: &[u8]) -> PyStr {
    PyStr::from(b.iter().map(|&c| char::from(c)).collect::<String>())
}

/// Python's `repr()` of the opcode byte as a one-character string, quotes removed.
fn code_repr(code: u8) -> String {
    let s = repr::str_repr(&PyStr::from(char::from(code).to_string()));
    s.get(1..s.len().saturating_sub(1))
        .unwrap_or("")
        .to_string()
}

/// How an opcode uses the stack: items it pops below a mark (`None` if it uses no mark), items it
/// pops, items it pushes.
fn stack_effect(op: Opcode) -> (Option<usize>, usize, usize) {
    use Opcode as O;
    match op {
        O::Appends | O::SetItems | O::AddItems => (Some(1), 0, 1),
        O::List | O::Tuple | O::Dict | O::FrozenSet | O::Inst | O::Obj => (Some(0), 0, 1),
        O::PopMark => (Some(0), 0, 0),
        O::Mark => (None, 0, 0),
        O::Pop => (None, 1, 0),
        O::Dup => (None, 1, 2),
        O::Append | O::Reduce | O::Build | O::NewObj | O::StackGlobal => (None, 2, 1),
        O::SetItem | O::NewObjEx => (None, 3, 1),
        O::Tuple2 => (None, 2, 1),
        O::Tuple3 => (None, 3, 1),
        O::Tuple1 | O::ReadonlyBuffer | O::BinPersId => (None, 1, 1),
        O::Put | O::BinPut | O::LongBinPut | O::Memoize => (None, 0, 0),
        O::Proto | O::Frame => (None, 0, 0),
        O::Stop => (None, 1, 0),
        _ => (None, 0, 1),
    }
}

/// The memo index an argument names (pickletools accepts any integer, even a negative one).
fn memo_key(arg: &Arg<'_>) -> Option<i128> {
    match arg {
        Arg::Int(v) => Some(*v),
        Arg::Long(v) => i128::try_from(v).ok(),
        Arg::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

/// Stack items for the emulation: a value, or a mark with its offset.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Value,
    Mark,
}

/// Disassembles `data` into `out`. On an invalid pickle, the listing ends with an `error:` line
/// and the error is returned; an I/O error on `out` is returned as [`ErrorKind::Io`].
pub fn dis_to<W: io::Write>(data: &[u8], out: &mut W, options: &DisOptions) -> Result<()> {
    let mut pos = 0usize;
    let mut first = true;
    loop {
        if !first {
            out.write_all(b"\n")?;
        }
        first = false;
        match dis_one(data, pos, out, options) {
            Ok(next) => pos = next,
            Err(e) => {
                if !matches!(e.kind(), ErrorKind::Io(_)) {
                    writeln!(out, "error: {e}")?;
                }
                return Err(e);
            }
        }
        if !options.all_pickles || pos >= data.len() {
            return Ok(());
        }
    }
}

/// Disassembles `data` into a `String`, with the error that stopped it, if any.
pub fn dis(data: &[u8], options: &DisOptions) -> (String, Option<Error>) {
    let mut out = Vec::new();
    let result = dis_to(data, &mut out, options);
    (String::from_utf8_lossy(&out).into_owned(), result.err())
}

/// Disassembles one pickle at `start`; returns the offset just past its `STOP`.
fn dis_one<W: io::Write>(
    data: &[u8],
    start: usize,
    out: &mut W,
    options: &DisOptions,
) -> Result<usize> {
    let mut stack: Vec<Slot> = Vec::new();
    let mut marks: Vec<u64> = Vec::new();
    let mut memo: HashSet<i128> = HashSet::new();
    let mut max_proto: i32 = -1;
    let mut line = String::new();
    let mut ops = Instructions::new(data, start);
    while let Some(ins) = ops.next() {
        let ins = ins?;
        let op = ins.op;
        let info = op.info();
        max_proto = max_proto.max(i32::from(info.proto));
        line.clear();
        let _ = write!(line, "{:5}: {:<4} ", ins.offset, code_repr(info.code));
        // Indentation stops growing at `max_indent_levels` (the output stays linear in the
        // input for 10^6 nested marks); deeper lines say their level.
        let levels = marks.len().min(options.max_indent_levels);
        for _ in 0..levels.saturating_mul(options.indent.min(16)) {
            line.push(' ');
        }
        if marks.len() > options.max_indent_levels {
            let _ = write!(line, "[{}] ", marks.len());
        }
        line.push_str(info.name);

        let (below_mark, mut pops, pushes) = stack_effect(op);
        let mut note: Option<String> = None;
        let mut error: Option<Error> = None;
        let pop_mark =
            below_mark.is_some() || (op == Opcode::Pop && stack.last() == Some(&Slot::Mark));
        if pop_mark {
            match marks.pop() {
                Some(at) => {
                    note = Some(format!("(MARK at {at})"));
                    while let Some(slot) = stack.pop() {
                        if slot == Slot::Mark {
                            break;
                        }
                    }
                    pops = below_mark.unwrap_or(0);
                }
                None => {
                    note = Some("no MARK exists on stack".into());
                    error = Some(err(ErrorKind::MarkNotFound, ins.offset as usize, Some(op)));
                }
            }
        }
        match op {
            Opcode::Put | Opcode::BinPut | Opcode::LongBinPut | Opcode::Memoize => {
                let idx = match ins.arg {
                    Arg::None => Some(memo.len() as i128),
                    ref arg => memo_key(arg),
                };
                if op == Opcode::Memoize {
                    note = Some(format!("(as {})", memo.len()));
                }
                match (idx, stack.last()) {
                    (Some(idx), Some(Slot::Value)) => {
                        memo.insert(idx);
                    }
                    (_, Some(Slot::Mark)) => {
                        error = Some(err(
                            ErrorKind::TypeMismatch("can't store markobject in the memo".into()),
                            ins.offset as usize,
                            Some(op),
                        ))
                    }
                    (None, _) => {
                        error = Some(invalid("memo index out of range", ins.offset as usize, op))
                    }
                    (_, None) => {
                        error = Some(err(
                            ErrorKind::StackUnderflow,
                            ins.offset as usize,
                            Some(op),
                        ))
                    }
                }
            }
            Opcode::Get | Opcode::BinGet | Opcode::LongBinGet => {
                let idx = memo_key(&ins.arg);
                if !idx.is_some_and(|i| memo.contains(&i)) {
                    error = Some(err(
                        ErrorKind::MemoKeyMissing(
                            idx.and_then(|i| u64::try_from(i).ok()).unwrap_or(u64::MAX),
                        ),
                        ins.offset as usize,
                        Some(op),
                    ));
                }
            }
            _ => {}
        }

        if ins.arg != Arg::None || note.is_some() {
            for _ in info.name.len()..10 {
                line.push(' ');
            }
            if ins.arg != Arg::None {
                line.push(' ');
                write_arg(&mut line, &ins.arg, options.max_arg_len);
            }
            if let Some(note) = &note {
                line.push(' ');
                line.push_str(note);
            }
        }
        if options.annotate {
            line.push(' ');
            line.push_str(info.doc);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        if let Some(e) = error {
            return Err(e);
        }

        // The stack effect; a value stands for every item, a mark for marks.
        if stack.len() < pops || stack.iter().rev().take(pops).any(|s| *s == Slot::Mark) {
            let kind = if stack.len() < pops {
                ErrorKind::StackUnderflow
            } else {
                ErrorKind::UnexpectedMark
            };
            return Err(err(kind, ins.offset as usize, Some(op)));
        }
        stack.truncate(stack.len() - pops);
        if op == Opcode::Mark {
            marks.push(ins.offset);
            stack.push(Slot::Mark);
        }
        for _ in 0..pushes {
            stack.push(Slot::Value);
        }
        if op == Opcode::Stop {
            writeln!(out, "highest protocol among opcodes = {max_proto}")?;
            if !stack.is_empty() {
                return Err(err(ErrorKind::StackNotEmpty, ins.offset as usize, Some(op)));
            }
            return Ok(ops.position());
        }
    }
    Err(err(ErrorKind::UnexpectedEof, ops.position(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol0_listing() {
        // pickle.dumps([1, 'a', (2.5, None)], protocol=0)
        let data = b"(lp0\nI1\naVa\np1\na(F2.5\nNtp2\na.";
        let (text, e) = dis(data, &DisOptions::default());
        assert!(e.is_none(), "{e:?}");
        let want = "    0: (    MARK
    1: l        LIST       (MARK at 0)
    2: p    PUT        0
    5: I    INT        1
    8: a    APPEND
    9: V    UNICODE    'a'
   12: p    PUT        1
   15: a    APPEND
   16: (    MARK
   17: F        FLOAT      2.5
   22: N        NONE
   23: t        TUPLE      (MARK at 16)
   24: p    PUT        2
   27: a    APPEND
   28: .    STOP
highest protocol among opcodes = 0
";
        assert_eq!(text, want);
    }

    #[test]
    fn truncated_input_stops_with_error() {
        let (text, e) = dis(b"\x80\x04K", &DisOptions::default());
        let e = e.unwrap();
        assert!(e.is_eof());
        assert_eq!(e.offset(), 2);
        assert!(text.ends_with("error: unexpected end of data at byte 2 (opcode BININT1)\n"));
        let (_, e) = dis(b"\xff", &DisOptions::default());
        assert!(matches!(e.unwrap().kind(), ErrorKind::UnknownOpcode(0xff)));
        let (_, e) = dis(b"h\x05.", &DisOptions::default());
        assert!(matches!(e.unwrap().kind(), ErrorKind::MemoKeyMissing(5)));
    }

    #[test]
    fn back_to_back_pickles() {
        let (text, e) = dis(b"K\x01.K\x02.", &DisOptions::default());
        assert!(e.is_none());
        assert_eq!(text.matches("highest protocol").count(), 2);
        assert!(text.contains("\n\n    3: K    BININT1    2\n"));
    }

    #[test]
    fn escapes() {
        assert_eq!(decode_escape(br"a\n\x41\101\\\q").unwrap(), b"a\nAA\\\\q");
        assert!(decode_escape(br"\x4").is_err());
        assert_eq!(
            raw_unicode_escape_points(br"\u00e9\\u0041\U0001f600").unwrap(),
            vec![0xe9, 0x5c, 0x5c, 0x75, 0x30, 0x30, 0x34, 0x31, 0x1f600]
        );
    }

    #[test]
    fn long_arguments_are_cut() {
        let mut data = vec![b'B'];
        data.extend_from_slice(&10_000u32.to_le_bytes());
        data.extend(std::iter::repeat_n(b'x', 10_000));
        data.push(b'.');
        let opts = DisOptions {
            max_arg_len: 20,
            ..DisOptions::default()
        };
        let (text, e) = dis(&data, &opts);
        assert!(e.is_none());
        assert!(
            text.contains("BINBYTES   b'xxxxxxxxxxxxxxxxxx... (10000 bytes)\n"),
            "{text}"
        );
    }
}
