#include "reports/pdf.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QFont>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextObjectInterface>

#include "reports/html.hpp"
#include "reports/svg_painter.hpp"

namespace accelscope::reports {

namespace {

// Layout width of a page in CSS pixels: the HTML report's width, so both look alike.
constexpr double kLayoutWidthPx = 1120;
constexpr double kFooterPx = 26;
constexpr int kSvgObjectType = QTextFormat::UserObject + 1;
constexpr int kChartIndexProperty = QTextFormat::UserProperty + 1;

void ensure_gui_application() {
  if (QCoreApplication::instance() != nullptr) {
    if (qobject_cast<QGuiApplication*>(QCoreApplication::instance()) == nullptr)
      throw ReportError(
          "PDF reports need a QGuiApplication (this process made a QCoreApplication)");
    return;
  }
  // Offscreen: a report draws into a file and must work without a display.
  qputenv("QT_QPA_PLATFORM", "offscreen");
  // Qt's note that XDG_RUNTIME_DIR is unset says nothing about the report: keep it off stderr.
  static const QtMessageHandler previous = qInstallMessageHandler(
      [](QtMsgType type, const QMessageLogContext& context, const QString& message) {
        if (message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set"))) return;
        if (previous) {
          previous(type, context, message);
        } else {
          std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
        }
      });
  static int argc = 1;
  static char name[] = "accelscope";
  static char* argv[] = {name, nullptr};
  // Deliberately never destroyed: Qt's font database must outlive every document, and
  // destroying a QGuiApplication from a static destructor at exit is unsafe.
  static QGuiApplication* const application = new QGuiApplication(argc, argv);
  (void)application;
}

}  // namespace

// Draws the charts of a page (vector, with real text) where the HTML had <img src="chart:N">.
class SvgChartObject : public QObject, public QTextObjectInterface {
  Q_OBJECT
  Q_INTERFACES(QTextObjectInterface)

 public:
  explicit SvgChartObject(const std::vector<ChartImage>& charts) : charts_(charts) {}

  QSizeF intrinsicSize(QTextDocument*, int, const QTextFormat& format) override {
    const ChartImage* chart = chart_of(format);
    return chart ? QSizeF(chart->width_px, chart->height_px) : QSizeF();
  }

  void drawObject(QPainter* painter, const QRectF& rect, QTextDocument*, int,
                  const QTextFormat& format) override {
    const ChartImage* chart = chart_of(format);
    if (chart && !paint_svg(*painter, chart->svg, rect)) failed_ = chart->name;
  }

  // The first chart that could not be drawn, if any.
  const std::string& failed() const { return failed_; }

 private:
  const ChartImage* chart_of(const QTextFormat& format) const {
    const int index = format.intProperty(kChartIndexProperty);
    return index >= 0 && index < static_cast<int>(charts_.size()) ? &charts_[index] : nullptr;
  }

  const std::vector<ChartImage>& charts_;
  std::string failed_;
};

namespace {

// Swaps each <img src="chart:N"> of the laid-out HTML for an SVG object of the same size.
void replace_chart_images(QTextDocument& document, const std::vector<ChartImage>& charts) {
  std::vector<std::pair<int, int>> found;  // document position, chart index
  for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
    for (auto it = block.begin(); !it.atEnd(); ++it) {
      const QTextFragment fragment = it.fragment();
      if (!fragment.charFormat().isImageFormat()) continue;
      const QString name = fragment.charFormat().toImageFormat().name();
      for (int i = 0; i < static_cast<int>(charts.size()); ++i)
        if (name == QString::fromStdString(charts[i].name)) {
          for (int k = 0; k < fragment.length(); ++k)
            found.emplace_back(fragment.position() + k, i);
        }
    }
  }
  for (const auto& [position, index] : found) {
    QTextCursor cursor(&document);
    cursor.setPosition(position);
    cursor.setPosition(position + 1, QTextCursor::KeepAnchor);
    QTextCharFormat format;
    format.setObjectType(kSvgObjectType);
    format.setProperty(kChartIndexProperty, index);
    cursor.insertText(QString(QChar::ObjectReplacementCharacter), format);
  }
}

}  // namespace

std::string render_pdf(const ReportData& data) {
  ensure_gui_application();
  const HtmlPages pages = build_pages(data, ChartEmbedding::image_reference);
  SvgChartObject chart_object(pages.charts);

  QBuffer buffer;
  buffer.open(QIODevice::WriteOnly);
  QPdfWriter writer(&buffer);
  writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape,
                                   QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter));
  writer.setResolution(300);
  writer.setTitle(QString::fromStdString("Pareto report: " + data.study.name));
  writer.setCreator(QString::fromStdString(data.generator.empty() ? "accelscope" : data.generator));

  QPainter painter;
  if (!painter.begin(&writer)) throw ReportError("PDF: Qt could not start a PDF document");
  // Device pixels per layout pixel at full width; pages too tall shrink further.
  const double base_scale = writer.width() / kLayoutWidthPx;
  const double page_height_px = writer.height() / base_scale - kFooterPx;
  QFont footer_font(QStringLiteral("DejaVu Sans"));
  footer_font.setPixelSize(9);
  footer_font.setStyleStrategy(QFont::PreferNoShaping);

  for (std::size_t p = 0; p < pages.pages.size(); ++p) {
    if (p > 0) writer.newPage();
    QTextDocument document;
    document.setDocumentMargin(0);
    QFont body_font(QStringLiteral("DejaVu Sans"));
    body_font.setPointSizeF(10);
    body_font.setStyleStrategy(QFont::PreferNoShaping);  // no ligatures: "fi" stays searchable
    document.setDefaultFont(body_font);
    document.setDefaultStyleSheet(QString::fromStdString(report_css()));
    document.documentLayout()->registerHandler(kSvgObjectType, &chart_object);
    document.setHtml(QString::fromStdString(pages.pages[p].body));
    replace_chart_images(document, pages.charts);

    // Widen the layout until the page fits its height once scaled to the paper width.
    double widen = 1;
    document.setTextWidth(kLayoutWidthPx);
    // A table too wide for the page (a front with many columns) widens it too: Qt would otherwise
    // squeeze its columns and break words.
    if (pages.pages[p].min_width_px > kLayoutWidthPx) {
      widen = pages.pages[p].min_width_px / kLayoutWidthPx;
      document.setTextWidth(kLayoutWidthPx * widen);
    }
    for (int step = 0; step < 30 && document.size().height() > page_height_px * widen; ++step) {
      widen *= std::max(1.03, std::sqrt(document.size().height() / (page_height_px * widen)));
      document.setTextWidth(kLayoutWidthPx * widen);
    }
    painter.save();
    painter.scale(base_scale / widen, base_scale / widen);
    document.drawContents(&painter);
    painter.restore();

    painter.save();
    painter.scale(base_scale, base_scale);
    painter.setFont(footer_font);
    painter.setPen(QColor(0x77, 0x77, 0x77));
    const QRectF footer(0, page_height_px + 8, kLayoutWidthPx, kFooterPx - 8);
    painter.drawText(
        footer, Qt::AlignLeft | Qt::AlignVCenter,
        QString::fromStdString("Pareto report: " + data.study.name + " — " + pages.pages[p].title));
    painter.drawText(footer, Qt::AlignRight | Qt::AlignVCenter,
                     QStringLiteral("page %1 of %2").arg(p + 1).arg(pages.pages.size()));
    painter.restore();
  }
  if (!painter.end()) throw ReportError("PDF: Qt could not finish the PDF document");
  if (!chart_object.failed().empty())
    throw ReportError("PDF: chart " + chart_object.failed() + " is not SVG the report can draw");
  return buffer.data().toStdString();
}

}  // namespace accelscope::reports

#include "pdf.moc"
