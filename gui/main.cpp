// accelscope-gui: the desktop viewer of study databases.
//
//   accelscope-gui [STUDY.sqlite] [--study NAME] [--x FIELD] [--y FIELD] [--log x|y|xy]
//                  [--colour FIELD]
//                  [--overlay NAME]... [--select-best | --select ID]
//                  [--tab design|breakdown|tenants|compare|log|scatter|parallel|importance]...
//                  [--screenshot OUT.png] [--size WxH]
//
// A study of more than 200,000 designs is shown first as its front and an even sample of 50,000
// while a background thread reads the rest (the window stays responsive).
// --screenshot grabs the window once the whole study is loaded and exits (status 0 on success), for
// documentation and CI; it needs a display (e.g. xvfb-run) or QT_QPA_PLATFORM=offscreen.
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>
#include <algorithm>
#include <cstdio>

#include "gui/widgets/main_window.hpp"
#include "gui/widgets/session.hpp"

using accelscope::gui::MainWindow;
using accelscope::gui::StudyData;
using accelscope::gui::StudySession;

int main(int argc, char** argv) {
  QElapsedTimer since_start;
  since_start.start();
  QApplication app(argc, argv);
  QApplication::setOrganizationName("accelscope");
  QApplication::setApplicationName("accelscope-gui");
  QApplication::setApplicationVersion(ACCELSCOPE_GUI_VERSION);

  QCommandLineParser parser;
  parser.setApplicationDescription("Explore accelscope design-space studies");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("database", "Study database to open (.sqlite)", "[database]");
  const QCommandLineOption study({"s", "study"}, "Study to show (name)", "name");
  const QCommandLineOption x_axis("x", "Metric or parameter on the X axis", "field");
  const QCommandLineOption y_axis("y", "Metric or parameter on the Y axis", "field");
  const QCommandLineOption colour({"c", "colour", "color"}, "Field to colour by", "field");
  const QCommandLineOption select_best(
      "select-best", "Select the report's knee design (and compare its shortlist)");
  const QCommandLineOption select(
      "select", "Select the design with this id (as accelscope show --design ID)", "id");
  const QCommandLineOption log_axes("log", "Logarithmic axes: x, y or xy", "axes");
  const QCommandLineOption overlay("overlay", "Overlay the front of this study (repeatable)",
                                   "name");
  const QCommandLineOption tab(
      "tab",
      "Tab to show: design, breakdown, tenants, compare or log (right); scatter, "
      "parallel or importance (centre)",
      "name");
  const QCommandLineOption screenshot("screenshot", "Save a PNG of the window and exit", "file");
  const QCommandLineOption size("size", "Window size (default 1280x800)", "WxH", "1280x800");
  parser.addOptions({study, x_axis, y_axis, log_axes, colour, overlay, select_best, select, tab,
                     screenshot, size});
  parser.process(app);

  MainWindow window;
  const bool grabbing = parser.isSet(screenshot);
  window.setErrorDialogsEnabled(!grabbing);
  const QStringList dimensions = parser.value(size).split('x');
  if (dimensions.size() == 2) window.resize(dimensions[0].toInt(), dimensions[1].toInt());
  window.show();

  int status = 0;
  auto fail = [&](const QString& message) {
    std::fprintf(stderr, "accelscope-gui: %s\n", qPrintable(message));
    status = 1;
  };
  QObject::connect(&window, &MainWindow::errorReported, &app, [&](const QString& message) {
    if (grabbing) fail(message);
  });

  // A large study opens as a preview (its front and a sample) while every design is read in the
  // background; a design picked by id, and a screenshot, wait for the whole study.
  auto wait_for_whole_study = [&] {
    if (!window.session()->loading()) return;
    QEventLoop loop;
    QObject::connect(window.session(), &StudySession::studyCompleted, &loop, &QEventLoop::quit);
    QObject::connect(window.session(), &StudySession::errorOccurred, &loop, &QEventLoop::quit);
    loop.exec();
  };
  // When the selected study's first designs were plotted (the preview's, for a large study).
  double first_plotted_seconds = 0;
  // How responsive the window stays while a preview is shown: the longest gap between ticks of
  // a 10 ms timer until the whole study is in (the switch's replot included).
  QTimer responsiveness;
  QElapsedTimer since_tick;
  qint64 longest_gap_ns = 0;
  responsiveness.setInterval(10);
  QObject::connect(&responsiveness, &QTimer::timeout, &app, [&] {
    longest_gap_ns = std::max(longest_gap_ns, since_tick.nsecsElapsed());
    since_tick.start();
  });
  QObject::connect(window.session(), &StudySession::studyCompleted, &app, [&] {
    if (!responsiveness.isActive()) return;
    longest_gap_ns = std::max(longest_gap_ns, since_tick.nsecsElapsed());
    responsiveness.stop();
  });
  QObject::connect(window.session(), &StudySession::studyLoaded, &app, [&] {
    first_plotted_seconds = static_cast<double>(since_start.nsecsElapsed()) * 1e-9;
    if (!window.session()->loading()) return;
    longest_gap_ns = 0;
    since_tick.start();
    responsiveness.start();
  });
  const QStringList positional = parser.positionalArguments();
  if (!positional.isEmpty() && window.openDatabase(positional.front())) {
    if (parser.isSet(study) && !window.selectStudyByName(parser.value(study))) {
      fail(QStringLiteral("no study named %1").arg(parser.value(study)));
    }
    if (grabbing || parser.isSet(select)) wait_for_whole_study();
    if (parser.isSet(x_axis) || parser.isSet(y_axis)) {
      const auto& request = window.request();
      window.setAxes(
          parser.isSet(x_axis) ? parser.value(x_axis) : QString::fromStdString(request.x.key()),
          parser.isSet(y_axis) ? parser.value(y_axis) : QString::fromStdString(request.y.key()));
    }
    if (parser.isSet(log_axes)) {
      window.setLogAxes(parser.value(log_axes).contains('x'), parser.value(log_axes).contains('y'));
    }
    if (parser.isSet(colour)) window.setColourField(parser.value(colour));
    for (const QString& name : parser.values(overlay)) {
      const auto& studies = window.session()->studies();
      const auto found = std::find_if(studies.begin(), studies.end(), [&](const auto& info) {
        return QString::fromStdString(info.name) == name;
      });
      if (found == studies.end()) {
        fail(QStringLiteral("no study named %1 to overlay").arg(name));
      } else {
        window.addOverlay(positional.front(), found->id);
      }
    }
    if (parser.isSet(select_best) && !window.selectBest()) fail("no design to select");
    if (parser.isSet(select) && window.study()) {
      const long long id = parser.value(select).toLongLong();
      if (const auto index = window.study()->index_of(id)) {
        window.selectDesign(*index);
      } else {
        fail(QStringLiteral("no evaluated design #%1 in this study").arg(id));
      }
    }
  }
  for (const QString& name : parser.values(tab)) window.showTab(name);

  if (!grabbing) return app.exec();
  const QString output = parser.value(screenshot);
  // Let layouts and charts settle before grabbing.
  QTimer::singleShot(800, &app, [&] {
    if (status == 0 && !window.grab().save(output)) fail("cannot write " + output);
    if (status == 0) {
      std::printf("screenshot saved to %s\n", qPrintable(QFileInfo(output).absoluteFilePath()));
      const StudySession& session = *window.session();
      if (const StudyData* shown = window.study()) {
        std::printf("%zu designs: read in %.2f s", shown->designs().size(),
                    session.completeLoadSeconds());
        if (session.completeLoadSeconds() > session.lastLoadSeconds())
          std::printf(
              " (first plotted %.2f s after start, read in %.2f s: the front and an "
              "even sample; longest stall of the window meanwhile %.0f ms)",
              first_plotted_seconds, session.lastLoadSeconds(),
              static_cast<double>(longest_gap_ns) * 1e-6);
        std::printf(", last plot built and set in %.2f s\n", window.lastPlotSeconds());
      }
    }
    app.exit(status);
  });
  return app.exec();
}
