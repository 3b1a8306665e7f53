//! Tables as files: CSV the way French spreadsheets open it (UTF-8 with a
//! byte-order mark, `;`, decimal comma, dd/mm/yyyy) or plain RFC 4180,
//! XLSX and ODS. Rows are written one by one, so an export of any size
//! goes through in bounded memory: CSV straight to the output, XLSX and
//! ODS through a zip written to an unnamed temporary file.

use chrono::NaiveDate;
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
pub fn writer<W: Write + Seek + 'static>(format: Format, out: W) -> Box<dyn TableWriter> {
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

/// Text that a spreadsheet would take for a formula is prefixed with an
/// apostrophe (CSV only: XLSX and ODS type their cells).
fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

// ---- CSV ----------------------------------------------------------------------

pub struct CsvWriter<W: Write> {
    out: io::BufWriter<W>,
    french: bool,
    started: bool,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, french: bool) -> Self {
        Self {
            out: io::BufWriter::with_capacity(64 * 1024, out),
            french,
            started: false,
        }
    }

    fn field(&mut self, s: &str) -> io::Result<()> {
        let sep = if self.french { ';' } else { ',' };
        if s.contains(sep) || s.contains('"') || s.contains('\n') || s.contains('\r') {
            write!(self.out, "\"{}\"", s.replace('"', "\"\""))
        } else {
            self.out.write_all(s.as_bytes())
        }
    }

    fn line(&mut self, fields: &[String]) -> io::Result<()> {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.out.write_all(if self.french { b";" } else { b"," })?;
            }
            self.field(f)?;
        }
        self.out.write_all(b"\r\n")
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
            self.out.write_all(b"\r\n")?;
        } else if self.french {
            self.out.write_all("\u{feff}".as_bytes())?;
        }
        self.started = true;
        let header: Vec<String> = header.iter().map(|h| defuse(h).into_owned()).collect();
        self.line(&header)
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        let fields: Vec<String> = cells.iter().map(|c| self.text(c)).collect();
        self.line(&fields)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
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

pub struct XlsxWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    sheets: Vec<String>,
    row: u32,
    open: bool,
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true)
}

/// Days since 1899-12-30, the spreadsheet epoch.
fn serial(d: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - epoch).num_days()
}

fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

impl<W: Write + Seek> XlsxWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            zip: ZipWriter::new(out),
            sheets: Vec::new(),
            row: 0,
            open: false,
        }
    }

    fn close_sheet(&mut self) -> io::Result<()> {
        if self.open {
            self.zip.write_all(b"</sheetData></worksheet>")?;
            self.open = false;
        }
        Ok(())
    }

    fn cells(&mut self, cells: &[Cell], style_text: u8) -> io::Result<()> {
        self.row += 1;
        let r = self.row;
        let mut xml = format!("<row r=\"{r}\">");
        for (i, c) in cells.iter().enumerate() {
            let at = format!("{}{r}", column_name(i));
            match c {
                Cell::Text(s) => xml.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\" s=\"{style_text}\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                    xml_escape(s)
                )),
                Cell::Int(n) => xml.push_str(&format!("<c r=\"{at}\"><v>{n}</v></c>")),
                Cell::Decimal(x, _) => {
                    xml.push_str(&format!("<c r=\"{at}\" s=\"3\"><v>{x}</v></c>"))
                }
                Cell::Date(d) => {
                    xml.push_str(&format!("<c r=\"{at}\" s=\"1\"><v>{}</v></c>", serial(*d)))
                }
                Cell::Empty => {}
            }
        }
        xml.push_str("</row>");
        self.zip.write_all(xml.as_bytes())
    }
}

impl<W: Write + Seek> TableWriter for XlsxWriter<W> {
    fn sheet(&mut self, name: &str, header: &[String]) -> io::Result<()> {
        self.close_sheet()?;
        // Sheet names: at most 31 characters, none of []:*?/\
        let clean: String = name
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
            .take(31)
            .collect();
        self.sheets.push(clean);
        let n = self.sheets.len();
        self.zip
            .start_file(format!("xl/worksheets/sheet{n}.xml"), deflated())
            .map_err(zip_err)?;
        self.zip.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
        )?;
        self.open = true;
        self.row = 0;
        let header: Vec<Cell> = header.iter().map(|h| Cell::Text(h.clone())).collect();
        self.cells(&header, 2)
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        self.cells(cells, 0)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.close_sheet()?;
        let mut sheets = String::new();
        let mut rels = String::new();
        let mut types = String::new();
        for (i, name) in self.sheets.iter().enumerate() {
            let n = i + 1;
            sheets.push_str(&format!(
                "<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>",
                xml_escape(name)
            ));
            rels.push_str(&format!(
                "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
            ));
            types.push_str(&format!(
                "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            ));
        }
        let styles_rel = self.sheets.len() + 1;
        let files: [(&str, String); 5] = [
            (
                "[Content_Types].xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
{types}</Types>"
                ),
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
</Relationships>"
                    .to_owned(),
            ),
            (
                "xl/workbook.xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
<sheets>{sheets}</sheets></workbook>"
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}\
<Relationship Id=\"rId{styles_rel}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>"
                ),
            ),
            (
                "xl/styles.xml",
                // 0: default; 1: date dd/mm/yyyy; 2: bold header; 3: 0.0
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/><numFmt numFmtId=\"165\" formatCode=\"0.0\"/></numFmts>\
<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"4\">\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
</cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>"
                    .to_owned(),
            ),
        ];
        for (name, body) in files {
            self.zip.start_file(name, deflated()).map_err(zip_err)?;
            self.zip.write_all(body.as_bytes())?;
        }
        let mut out = self.zip.finish().map_err(zip_err)?;
        out.flush()
    }
}

// ---- ODS ----------------------------------------------------------------------

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
    fn column_names_go_past_z() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
    }
}
