// Runs the `accelscope` CLI from the viewer: a search (with progress read from the study in the
// database and a cancel that interrupts it, leaving a resumable study) and report export.
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>
#include <memory>
#include <optional>

#include "gui/core/cli.hpp"
#include "gui/core/search_log.hpp"
#include "store/database.hpp"

namespace accelscope::gui {

// The CLI for this process: ACCELSCOPE_CLI, next to the executable, the build tree, then PATH.
std::optional<QString> findCli();

class SearchRunner : public QObject {
  Q_OBJECT

 public:
  explicit SearchRunner(QObject* parent = nullptr);
  ~SearchRunner() override;

  // Starts `cli search ...`; false (and finished(false, ...)) if it is already running or the
  // program cannot start.
  bool start(const QString& cli, const SearchRequest& request);
  // SIGINT first (the CLI stops cleanly and the study can be resumed), then SIGTERM and SIGKILL
  // if it does not exit within the grace period.
  void cancel();
  bool isRunning() const;
  const SearchRequest& request() const { return request_; }
  qint64 done() const { return done_; }
  qint64 budget() const { return budget_; }
  QString output() const { return output_; }
  void setPollInterval(int milliseconds) { poll_.setInterval(milliseconds); }
  void setCancelGrace(int milliseconds) { grace_ms_ = milliseconds; }

 signals:
  void started();
  void progressChanged(qint64 done, qint64 budget);
  void outputReceived(const QString& line);  // one readable line for the log
  // success: exit status 0. cancelled: the user asked to stop. message: one line for the status.
  void finished(bool success, bool cancelled, const QString& message);

 private:
  void pollProgress();
  void onFinished(int exit_code, QProcess::ExitStatus status);
  void emitLine(const std::string& line);    // as the Log tab shows it (search_log)
  void resultLine(const std::string& line);  // a line of stdout
  void errorLine(const std::string& line);   // a line of stderr

  std::unique_ptr<QProcess> process_;
  std::unique_ptr<store::Database> db_;
  SearchRequest request_;
  QTimer poll_;
  QTimer escalate_;
  int escalation_ = 0;
  int grace_ms_ = 5000;
  bool cancelled_ = false;
  qint64 done_ = 0;
  qint64 budget_ = 0;
  QString output_;
  LineSplitter stderr_lines_;
  LineSplitter stdout_lines_;
  int front_table_lines_ = 0;  // stdout lines from the summary line on
  QString last_message_;       // the last stderr line that is not a progress line
};

class ReportExporter : public QObject {
  Q_OBJECT

 public:
  explicit ReportExporter(QObject* parent = nullptr);
  ~ReportExporter() override;
  bool start(const QString& cli, const QString& database, qint64 study, const QString& output);
  bool isRunning() const;

 signals:
  void finished(bool success, const QString& message);

 private:
  std::unique_ptr<QProcess> process_;
  QString output_path_;
};

}  // namespace accelscope::gui
