//! Tables as files: CSV the way French spreadsheets open it (UTF-8 with a
//! byte-order mark, `;`, decimal comma, dd/mm/yyyy) or plain RFC 4180,
//! XLSX and ODS. Rows are written one by one, so an export of any size
//! goes through in bounded memory: CSV straight to the output (`csv`
//! crate), XLSX with `rust_xlsxwriter` in constant-memory mode, ODS through
//! a zip written by hand (no maintained crate streams ODS), both to an
//! unnamed temporary file.

use chrono::NaiveDate;
use relais_service::spreadsheet::{csv_writer, defuse, CsvDialect};
use rust_xlsxwriter::{Format as XlsxFormat, Workbook, XlsxError};
use std::io::{self, Seek, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A decimal number shown with this many decimals.
    Decimal(f64, usize),
    Date(NaiveDate),
    Empty,
}

/// The file formats of exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `;`, decimal comma, dd/mm/yyyy, with a byte-order mark.
    CsvFr,
    /// RFC 4180: `,`, decimal point, ISO dates, no byte-order mark.
    Csv,
    Xlsx,
    Ods,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim() {
            "" | "csv" => Some(Format::CsvFr),
            "csv-rfc4180" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "ods" => Some(Format::Ods),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Format::CsvFr => "csv",
            Format::Csv => "csv-rfc4180",
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::CsvFr | Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::CsvFr => "text/csv; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }

    /// Whether the format holds several sheets.
    pub fn has_sheets(self) -> bool {
        matches!(self, Format::Xlsx | Format::Ods)
    }
}

/// Writes rows of sheets in one format.
pub trait TableWriter {
    /// Starts a sheet (CSV: only the first one is written with its header;
    /// callers give CSV one sheet).
    fn sheet(&mut self, name: &str, header: &[String]) -> io::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> io::Result<()>;
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// A writer of `format` into `out`. XLSX and ODS need a seekable output.
pub fn writer<W: Write + Seek + Send + 'static>(format: Format, out: W) -> Box<dyn TableWriter> {
    match format {
        Format::CsvFr => Box::new(CsvWriter::new(out, true)),
        Format::Csv => Box::new(CsvWriter::new(out, false)),
        Format::Xlsx => Box::new(XlsxWriter::new(out)),
        Format::Ods => Box::new(OdsWriter::new(out)),
    }
}

fn zip_err(e: zip::result::ZipError) -> io::Error {
    io::Error::other(e.to_string())
}

// ---- CSV ----------------------------------------------------------------------

/// CSV through the `csv` crate; the formula rule and the dialects are the
/// service's (`relais_service::spreadsheet`), shared with the places export.
pub struct CsvWriter<W: Write> {
    csv: Option<csv::Writer<W>>,
    french: bool,
    started: bool,
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e.to_string())
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, french: bool) -> Self {
        let dialect = if french {
            CsvDialect::French
        } else {
            CsvDialect::Rfc4180
        };
        Self {
            csv: Some(csv_writer(out, dialect)),
            french,
            started: false,
        }
    }

    fn csv(&mut self) -> io::Result<&mut csv::Writer<W>> {
        self.csv
            .as_mut()
            .ok_or_else(|| io::Error::other("CSV writer closed"))
    }

    /// Writes raw bytes between records (the byte order mark, the blank
    /// line between two tables).
    fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let csv = self
            .csv
            .take()
            .ok_or_else(|| io::Error::other("CSV writer closed"))?;
        let mut out = csv.into_inner().map_err(|e| e.into_error())?;
        out.write_all(bytes)?;
        let dialect = if self.french {
            CsvDialect::French
        } else {
            CsvDialect::Rfc4180
        };
        self.csv = Some(csv_writer(out, dialect));
        Ok(())
    }

    fn text(&self, c: &Cell) -> String {
        match c {
            Cell::Text(s) => defuse(s).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Decimal(x, d) => {
                let s = format!("{x:.d$}", d = *d);
                if self.french {
                    s.replace('.', ",")
                } else {
                    s
                }
            }
            Cell::Date(d) => {
                if self.french {
                    d.format("%d/%m/%Y").to_string()
                } else {
                    d.format("%Y-%m-%d").to_string()
                }
            }
            Cell::Empty => String::new(),
        }
    }
}

impl<W: Write> TableWriter for CsvWriter<W> {
    fn sheet(&mut self, _name: &str, header: &[String]) -> io::Result<()> {
        if self.started {
            self.raw(b"\r\n")?;
        } else if self.french {
            self.raw("\u{feff}".as_bytes())?;
        }
        self.started = true;
        let header: Vec<String> = header.iter().map(|h| defuse(h).into_owned()).collect();
        self.csv()?.write_record(&header).map_err(csv_err)
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        let fields: Vec<String> = cells.iter().map(|c| self.text(c)).collect();
        self.csv()?.write_record(&fields).map_err(csv_err)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.csv()?.flush()
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot hold.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// ---- XLSX ---------------------------------------------------------------------

/// XLSX through `rust_xlsxwriter` in constant-memory mode: each row goes
/// to a temporary file as soon as the next one starts, strings are written
/// inline, so a sheet of any length takes the memory of one row.
pub struct XlsxWriter<W: Write + Seek + Send> {
    book: Workbook,
    out: Option<W>,
    sheets: usize,
    row: u32,
    header: XlsxFormat,
    date: XlsxFormat,
    decimals: Vec<XlsxFormat>,
}

fn xlsx_err(e: XlsxError) -> io::Error {
    io::Error::other(e.to_string())
}

/// Days since 1899-12-30, the spreadsheet epoch.
fn serial(d: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - epoch).num_days()
}

/// The longest text a cell holds.
const XLSX_MAX_TEXT: usize = 32_767;

impl<W: Write + Seek + Send> XlsxWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            book: Workbook::new(),
            out: Some(out),
            sheets: 0,
            row: 0,
            header: XlsxFormat::new().set_bold(),
            date: XlsxFormat::new().set_num_format("dd/mm/yyyy"),
            decimals: Vec::new(),
        }
    }

    /// The number format of a decimal shown with `d` decimals.
    fn decimal(&mut self, d: usize) -> XlsxFormat {
        let d = d.min(10);
        while self.decimals.len() <= d {
            let n = self.decimals.len();
            let pattern = if n == 0 {
                "0".to_owned()
            } else {
                format!("0.{}", "0".repeat(n))
            };
            self.decimals
                .push(XlsxFormat::new().set_num_format(pattern));
        }
        self.decimals[d].clone()
    }

    fn cells(&mut self, cells: &[Cell], header: bool) -> io::Result<()> {
        let index = self
            .sheets
            .checked_sub(1)
            .ok_or_else(|| io::Error::other("XLSX row before its sheet"))?;
        let r = self.row;
        self.row += 1;
        let decimals: Vec<Option<XlsxFormat>> = cells
            .iter()
            .map(|c| match c {
                Cell::Decimal(_, d) => Some(self.decimal(*d)),
                _ => None,
            })
            .collect();
        let sheet = self.book.worksheet_from_index(index).map_err(xlsx_err)?;
        for (i, c) in cells.iter().enumerate() {
            let col = u16::try_from(i).map_err(|_| io::Error::other("too many columns"))?;
            let written = match (c, &decimals[i]) {
                (Cell::Text(s), _) => {
                    let s: String = s.chars().take(XLSX_MAX_TEXT).collect();
                    if header {
                        sheet.write_string_with_format(r, col, s, &self.header)
                    } else {
                        sheet.write_string(r, col, s)
                    }
                }
                (Cell::Int(n), _) => sheet.write_number(r, col, *n as f64),
                (Cell::Decimal(x, _), Some(f)) => sheet.write_number_with_format(r, col, *x, f),
                (Cell::Decimal(x, _), None) => sheet.write_number(r, col, *x),
                (Cell::Date(d), _) => {
                    sheet.write_number_with_format(r, col, serial(*d) as f64, &self.date)
                }
                (Cell::Empty, _) => continue,
            };
            written.map_err(xlsx_err)?;
        }
        Ok(())
    }
}

impl<W: Write + Seek + Send> TableWriter for XlsxWriter<W> {
    fn sheet(&mut self, name: &str, header: &[String]) -> io::Result<()> {
        // Sheet names: at most 31 characters, none of []:*?/\, not
        // beginning or ending with an apostrophe, not empty.
        let clean: String = name
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
            .take(31)
            .collect();
        let clean = clean.trim_matches('\'').trim();
        let clean = if clean.is_empty() {
            format!("{}", self.sheets + 1)
        } else {
            clean.to_owned()
        };
        let sheet = self
            .book
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_err)?;
        sheet.set_name(clean).map_err(xlsx_err)?;
        self.sheets += 1;
        self.row = 0;
        let header: Vec<Cell> = header.iter().map(|h| Cell::Text(h.clone())).collect();
        self.cells(&header, true)
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        self.cells(cells, false)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        if self.sheets == 0 {
            self.sheet("-", &[])?;
        }
        let mut out = self
            .out
            .take()
            .ok_or_else(|| io::Error::other("XLSX writer closed"))?;
        self.book.save_to_writer(&mut out).map_err(xlsx_err)?;
        out.flush()
    }
}

// ---- ODS ----------------------------------------------------------------------

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true)
}

pub struct OdsWriter<W: Write + Seek> {
    zip: Option<ZipWriter<W>>,
    out: Option<W>,
    open_table: bool,
    started: bool,
}

impl<W: Write + Seek> OdsWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            zip: None,
            out: Some(out),
            open_table: false,
            started: false,
        }
    }

    fn zip(&mut self) -> io::Result<&mut ZipWriter<W>> {
        if self.zip.is_none() {
            let out = self
                .out
                .take()
                .ok_or_else(|| io::Error::other("ODS writer reused"))?;
            let mut zip = ZipWriter::new(out);
            // The mimetype comes first and uncompressed.
            zip.start_file(
                "mimetype",
                SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
            )
            .map_err(zip_err)?;
            zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")?;
            self.zip = Some(zip);
        }
        self.zip
            .as_mut()
            .ok_or_else(|| io::Error::other("ODS writer closed"))
    }

    fn cells(&mut self, cells: &[Cell], header: bool) -> io::Result<()> {
        let mut xml = String::from("<table:table-row>");
        for c in cells {
            match c {
                Cell::Text(s) => xml.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"{}><text:p>{}</text:p></table:table-cell>",
                    if header { " table:style-name=\"head\"" } else { "" },
                    xml_escape(s)
                )),
                Cell::Int(n) => xml.push_str(&format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{n}\"><text:p>{n}</text:p></table:table-cell>"
                )),
                Cell::Decimal(x, d) => xml.push_str(&format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{x}\"><text:p>{x:.d$}</text:p></table:table-cell>",
                    d = *d
                )),
                Cell::Date(d) => xml.push_str(&format!(
                    "<table:table-cell table:style-name=\"day\" office:value-type=\"date\" office:date-value=\"{}\"><text:p>{}</text:p></table:table-cell>",
                    d.format("%Y-%m-%d"),
                    d.format("%d/%m/%Y")
                )),
                Cell::Empty => xml.push_str("<table:table-cell/>"),
            }
        }
        xml.push_str("</table:table-row>");
        self.zip()?.write_all(xml.as_bytes())
    }
}

impl<W: Write + Seek> TableWriter for OdsWriter<W> {
    fn sheet(&mut self, name: &str, header: &[String]) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let zip = self.zip()?;
            zip.start_file("content.xml", deflated()).map_err(zip_err)?;
            zip.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" \
xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" \
xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" \
xmlns:number=\"urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0\" office:version=\"1.3\">\
<office:automatic-styles>\
<number:date-style style:name=\"dmy\"><number:day number:style=\"long\"/><number:text>/</number:text>\
<number:month number:style=\"long\"/><number:text>/</number:text><number:year number:style=\"long\"/></number:date-style>\
<style:style style:name=\"day\" style:family=\"table-cell\" style:data-style-name=\"dmy\"/>\
<style:style style:name=\"head\" style:family=\"table-cell\"><style:text-properties fo:font-weight=\"bold\"/></style:style>\
</office:automatic-styles><office:body><office:spreadsheet>",
            )?;
        }
        if self.open_table {
            self.zip()?.write_all(b"</table:table>")?;
        }
        self.open_table = true;
        let open = format!("<table:table table:name=\"{}\">", xml_escape(name));
        self.zip()?.write_all(open.as_bytes())?;
        let header: Vec<Cell> = header.iter().map(|h| Cell::Text(h.clone())).collect();
        self.cells(&header, true)
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        self.cells(cells, false)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        if !self.started {
            self.sheet("-", &[])?;
        }
        let zip = self.zip()?;
        zip.write_all(
            b"</table:table></office:spreadsheet></office:body></office:document-content>",
        )?;
        zip.start_file("META-INF/manifest.xml", deflated())
            .map_err(zip_err)?;
        zip.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\">\
<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.3\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
</manifest:manifest>",
        )?;
        let Some(zip) = self.zip.take() else {
            return Ok(());
        };
        let mut out = zip.finish().map_err(zip_err)?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_csv_has_a_bom_semicolons_decimal_commas_and_french_dates() {
        let mut buf = Vec::new();
        {
            let mut w: Box<dyn TableWriter> =
                Box::new(CsvWriter::new(io::Cursor::new(&mut buf), true));
            w.sheet("t", &["Jour".into(), "Heures".into(), "Texte".into()])
                .unwrap();
            w.row(&[
                Cell::Date(NaiveDate::from_ymd_opt(2026, 10, 3).unwrap()),
                Cell::Decimal(1.5, 1),
                Cell::Text("a;b \"c\"".into()),
            ])
            .unwrap();
            w.row(&[Cell::Text("=1+1".into()), Cell::Int(-3), Cell::Empty])
                .unwrap();
            w.finish().unwrap();
        }
        assert_eq!(
            buf,
            "\u{feff}Jour;Heures;Texte\r\n03/10/2026;1,5;\"a;b \"\"c\"\"\"\r\n'=1+1;-3;\r\n"
                .as_bytes()
        );
    }

    #[test]
    fn rfc4180_csv_is_plain() {
        let mut buf = Vec::new();
        {
            let mut w: Box<dyn TableWriter> =
                Box::new(CsvWriter::new(io::Cursor::new(&mut buf), false));
            w.sheet("t", &["a".into(), "b".into()]).unwrap();
            w.row(&[Cell::Decimal(2.25, 2), Cell::Text("x,y".into())])
                .unwrap();
            w.finish().unwrap();
        }
        assert_eq!(buf, b"a,b\r\n2.25,\"x,y\"\r\n");
    }

    #[test]
    fn csv_tables_follow_each_other_after_a_blank_line() {
        let mut buf = Vec::new();
        {
            let mut w: Box<dyn TableWriter> =
                Box::new(CsvWriter::new(io::Cursor::new(&mut buf), true));
            w.sheet("one", &["a".into(), "b".into()]).unwrap();
            w.row(&[Cell::Int(1), Cell::Text("-x".into())]).unwrap();
            w.sheet("two", &["c".into()]).unwrap();
            w.row(&[Cell::Text("+33 6 12 34 56 78".into())]).unwrap();
            w.finish().unwrap();
        }
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "\u{feff}a;b\r\n1;'-x\r\n\r\nc\r\n+33 6 12 34 56 78\r\n"
        );
    }

    #[test]
    fn xlsx_sheets_read_back_with_typed_cells() {
        use calamine::{Data, Reader};
        let long = "é".repeat(40_000);
        let mut buf = io::Cursor::new(Vec::new());
        {
            let mut w: Box<dyn TableWriter + '_> = Box::new(XlsxWriter::new(&mut buf));
            w.sheet(
                "Catégories: [2026]",
                &["Jour".into(), "Part".into(), "Texte".into()],
            )
            .unwrap();
            for i in 0..3 {
                w.row(&[
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 10, 3 + i).unwrap()),
                    Cell::Decimal(12.5 + f64::from(i), 1),
                    Cell::Text(format!("=ligne {i} <&>")),
                ])
                .unwrap();
            }
            w.sheet("'Second'", &["n".into()]).unwrap();
            w.row(&[Cell::Int(42), Cell::Empty, Cell::Text(long)])
                .unwrap();
            w.finish().unwrap();
        }
        buf.set_position(0);
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(buf).unwrap();
        assert_eq!(book.sheet_names(), vec!["Catégories   2026", "Second"]);
        let first = book.worksheet_range("Catégories   2026").unwrap();
        assert_eq!(first.get_size(), (4, 3));
        assert_eq!(first.get((0, 1)), Some(&Data::String("Part".into())));
        assert_eq!(first.get((2, 1)), Some(&Data::Float(13.5)));
        // XLSX types its cells: no apostrophe before a formula-like text.
        assert_eq!(
            first.get((3, 2)),
            Some(&Data::String("=ligne 2 <&>".into()))
        );
        match first.get((1, 0)) {
            Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 46_298.0),
            other => panic!("a date cell, not {other:?}"),
        }
        let second = book.worksheet_range("Second").unwrap();
        assert_eq!(second.get((1, 0)), Some(&Data::Float(42.0)));
        match second.get((1, 2)) {
            Some(Data::String(s)) => assert_eq!(s.chars().count(), XLSX_MAX_TEXT),
            other => panic!("a text cell, not {other:?}"),
        }
    }
}
