#include "gui/widgets/search_runner.hpp"

#include <signal.h>

#include <QCoreApplication>
#include <QFileInfo>
#include <QStringList>

#include "store/error.hpp"

namespace accelscope::gui {

namespace {

QStringList toQt(const std::vector<std::string>& args) {
  QStringList out;
  for (const std::string& arg : args) out << QString::fromStdString(arg);
  return out;
}

// The last non-empty line of the program's output: usually the error it reports.
QString lastLine(const QString& text) {
  const QStringList lines = text.split('\n', Qt::SkipEmptyParts);
  return lines.isEmpty() ? QString() : lines.back().trimmed();
}

}  // namespace

std::optional<QString> findCli() {
  const QByteArray override_path = qgetenv("ACCELSCOPE_CLI");
  const QByteArray path = qgetenv("PATH");
  const auto found = locate_cli(QCoreApplication::applicationDirPath().toStdString(),
                                path.toStdString(), override_path.toStdString());
  if (!found) return std::nullopt;
  return QString::fromStdString(found->string());
}

// --- SearchRunner --------------------------------------------------------------------------------

SearchRunner::SearchRunner(QObject* parent) : QObject(parent) {
  poll_.setInterval(500);
  connect(&poll_, &QTimer::timeout, this, &SearchRunner::pollProgress);
  escalate_.setSingleShot(true);
  connect(&escalate_, &QTimer::timeout, this, [this] {
    if (!isRunning()) return;
    if (escalation_++ == 0) {
      output_ += QStringLiteral("[viewer] still running after SIGINT; sending SIGTERM\n");
      process_->terminate();
      escalate_.start(grace_ms_);
    } else {
      output_ += QStringLiteral("[viewer] still running after SIGTERM; killing it\n");
      process_->kill();
    }
  });
}

SearchRunner::~SearchRunner() {
  if (isRunning()) {
    // Closing the viewer must not leave an orphan search holding the database.
    ::kill(static_cast<pid_t>(process_->processId()), SIGINT);
    if (!process_->waitForFinished(3000)) {
      process_->kill();
      process_->waitForFinished(1000);
    }
  }
}

bool SearchRunner::isRunning() const {
  return process_ && process_->state() != QProcess::NotRunning;
}

bool SearchRunner::start(const QString& cli, const SearchRequest& request) {
  if (isRunning()) {
    emit finished(false, false, tr("A search is already running"));
    return false;
  }
  request_ = request;
  cancelled_ = false;
  escalation_ = 0;
  done_ = 0;
  budget_ = request.budget;
  output_.clear();
  db_.reset();
  process_ = std::make_unique<QProcess>();
  process_->setProgram(cli);
  QStringList arguments = toQt(search_arguments(request));
  arguments << QStringLiteral("--log-json");
  process_->setArguments(arguments);
  // stderr: progress as JSON lines and messages, each shown as a sentence; stdout: the results
  // (a summary line, then the front as a table, which the chart shows instead).
  process_->setProcessChannelMode(QProcess::SeparateChannels);
  stderr_lines_ = {};
  stdout_lines_ = {};
  front_table_lines_ = 0;
  last_message_.clear();
  connect(process_.get(), &QProcess::readyReadStandardError, this, [this] {
    const QByteArray bytes = process_->readAllStandardError();
    output_ += QString::fromLocal8Bit(bytes);
    for (const std::string& line : stderr_lines_.add(bytes.toStdString())) errorLine(line);
  });
  connect(process_.get(), &QProcess::readyReadStandardOutput, this, [this] {
    const QByteArray bytes = process_->readAllStandardOutput();
    output_ += QString::fromLocal8Bit(bytes);
    for (const std::string& line : stdout_lines_.add(bytes.toStdString())) resultLine(line);
  });
  connect(process_.get(), &QProcess::finished, this, &SearchRunner::onFinished);
  output_ += QStringLiteral("$ %1 %2\n").arg(cli, process_->arguments().join(' '));
  process_->start();
  if (!process_->waitForStarted(5000)) {
    const QString message = tr("Cannot start %1: %2").arg(cli, process_->errorString());
    output_ += message + '\n';
    process_.reset();
    emit finished(false, false, message);
    return false;
  }
  emit started();
  emit progressChanged(done_, budget_);
  poll_.start();
  return true;
}

void SearchRunner::cancel() {
  if (!isRunning() || cancelled_) return;
  cancelled_ = true;
  output_ += QStringLiteral("[viewer] cancelling: SIGINT\n");
  ::kill(static_cast<pid_t>(process_->processId()), SIGINT);
  escalate_.start(grace_ms_);
}

void SearchRunner::pollProgress() {
  // The CLI may not have created the file or the study yet: try again next tick.
  try {
    if (!db_) {
      if (!QFileInfo::exists(QString::fromStdString(request_.database.string()))) return;
      store::OpenOptions options;
      options.mode = store::OpenMode::read_only;
      options.busy_timeout = std::chrono::milliseconds(200);
      db_ = std::make_unique<store::Database>(request_.database, options);
    }
    const std::optional<store::StudyInfo> study = db_->find_study(request_.study);
    if (!study) return;
    const qint64 done = study->counts.done;
    const qint64 budget = study->budget > 0 ? study->budget : request_.budget;
    if (done != done_ || budget != budget_) {
      done_ = done;
      budget_ = budget;
      emit progressChanged(done_, budget_);
    }
  } catch (const store::StoreError&) {
    db_.reset();  // e.g. opened before the schema existed; reopen next time
  }
}

void SearchRunner::emitLine(const std::string& line) {
  if (auto text = format_search_log_line(line)) emit outputReceived(QString::fromStdString(*text));
}

void SearchRunner::errorLine(const std::string& line) {
  // What a failure reports: the last message, not a progress line.
  if (!line.empty() && line.front() != '{') last_message_ = QString::fromStdString(line).trimmed();
  emitLine(line);
}

void SearchRunner::resultLine(const std::string& line) {
  if (front_table_lines_ > 0 ||
      (line.starts_with("study ") && line.find(" designs") != std::string::npos)) {
    // The summary line ("study edge (id 3): 400 designs, 23 on the front"), then the front.
    if (front_table_lines_++ == 0) emitLine(line);
    return;
  }
  emitLine(line);
}

void SearchRunner::onFinished(int exit_code, QProcess::ExitStatus status) {
  poll_.stop();
  escalate_.stop();
  const QByteArray error_rest = process_->readAllStandardError();
  const QByteArray output_rest = process_->readAllStandardOutput();
  output_ += QString::fromLocal8Bit(error_rest) + QString::fromLocal8Bit(output_rest);
  for (const std::string& line : stderr_lines_.add(error_rest.toStdString())) errorLine(line);
  errorLine(stderr_lines_.rest());
  for (const std::string& line : stdout_lines_.add(output_rest.toStdString())) resultLine(line);
  resultLine(stdout_lines_.rest());
  if (front_table_lines_ > 1) {
    emit outputReceived(
        tr("The front it printed (%1 lines) is in the chart; accelscope front --db %2 --study %3 "
           "prints it again")
            .arg(front_table_lines_ - 1)
            .arg(QString::fromStdString(request_.database.string()),
                 QString::fromStdString(request_.study)));
  }
  pollProgress();
  db_.reset();
  const bool success = status == QProcess::NormalExit && exit_code == 0;
  QString message;
  if (cancelled_) {
    message = tr("Search cancelled after %1 of %2 designs; run it again to resume")
                  .arg(done_)
                  .arg(budget_);
  } else if (success) {
    message = tr("Search finished: %1 designs evaluated").arg(done_);
  } else if (status == QProcess::CrashExit) {
    message = tr("The search crashed (%1)")
                  .arg(last_message_.isEmpty() ? lastLine(output_) : last_message_);
  } else {
    message = tr("The search failed (exit code %1): %2")
                  .arg(exit_code)
                  .arg(last_message_.isEmpty() ? lastLine(output_) : last_message_);
  }
  output_ += QStringLiteral("[viewer] %1\n").arg(message);
  emit finished(success && !cancelled_, cancelled_, message);
}

// --- ReportExporter ------------------------------------------------------------------------------

ReportExporter::ReportExporter(QObject* parent) : QObject(parent) {}

ReportExporter::~ReportExporter() {
  if (isRunning()) {
    process_->kill();
    process_->waitForFinished(1000);
  }
}

bool ReportExporter::isRunning() const {
  return process_ && process_->state() != QProcess::NotRunning;
}

bool ReportExporter::start(const QString& cli, const QString& database, qint64 study,
                           const QString& output) {
  if (isRunning()) {
    emit finished(false, tr("A report is already being written"));
    return false;
  }
  output_path_ = output;
  process_ = std::make_unique<QProcess>();
  process_->setProcessChannelMode(QProcess::MergedChannels);
  const ReportFormat format = report_format_for(output.toStdString());
  process_->setProgram(cli);
  process_->setArguments(
      toQt(report_arguments(database.toStdString(), study, format, output.toStdString())));
  connect(process_.get(), &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
    const QString text = QString::fromLocal8Bit(process_->readAll());
    if (status == QProcess::NormalExit && code == 0) {
      emit finished(true, tr("Report written to %1").arg(output_path_));
    } else {
      emit finished(false,
                    tr("The report failed (exit code %1): %2").arg(code).arg(lastLine(text)));
    }
  });
  process_->start();
  if (!process_->waitForStarted(5000)) {
    const QString message = tr("Cannot start %1: %2").arg(cli, process_->errorString());
    process_.reset();
    emit finished(false, message);
    return false;
  }
  return true;
}

}  // namespace accelscope::gui
