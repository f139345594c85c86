// The open study database as the widgets see it: one read-only connection, the list of studies,
// the selected study's data, and polling so that a search writing the same file shows up live.
// Errors never throw out of here: they are emitted as one-line messages.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "gui/core/report_picks.hpp"
#include "gui/core/study_data.hpp"
#include "store/database.hpp"

namespace accelscope::gui {

class StudySession : public QObject {
  Q_OBJECT

 public:
  explicit StudySession(QObject* parent = nullptr);
  ~StudySession() override;

  // Opens a database read-only and lists its studies; on failure keeps nothing open, emits
  // errorOccurred and returns false.
  bool open(const QString& path);
  void close();
  bool isOpen() const { return db_ != nullptr; }
  QString path() const { return path_; }

  const std::vector<store::StudyInfo>& studies() const { return studies_; }
  // Loads a study's designs; false (and errorOccurred) if it cannot be read.
  bool selectStudy(store::StudyId id);
  const StudyData* study() const { return study_ ? &*study_ : nullptr; }

  // A design's stored breakdown; nullopt when none is stored (or reading failed: errorOccurred).
  std::optional<nlohmann::json> breakdown(store::TrialId trial);
  // The selected study's knee and shortlist as its report picks them; nullopt (and
  // errorOccurred) if they cannot be read.
  std::optional<ReportPicks> reportPicks();
  // Another study of the open file, or of another file, read once (for overlays).
  std::optional<StudyData> loadStudy(const QString& path, store::StudyId id);

  // Live refresh: polls every interval (0 turns it off).
  void setPollInterval(int milliseconds);
  int pollInterval() const { return poll_interval_ms_; }
  // Seconds the last selectStudy() spent reading the study.
  double lastLoadSeconds() const { return last_load_seconds_; }
  // How long a read waits for a writer's lock before reporting the file locked.
  void setBusyTimeout(std::chrono::milliseconds timeout) { busy_timeout_ = timeout; }

 public slots:
  // Re-lists the studies and picks up new results of the selected study.
  void refresh();

 signals:
  void opened(const QString& path);
  void closed();
  void studiesChanged();
  void studyLoaded();                          // a study was selected and read
  void studyUpdated(int added);                // the selected study changed while open (live)
  void errorOccurred(const QString& message);  // opening or reading failed
  void refreshFailed(const QString& message);  // a poll failed; polling goes on

 private:
  store::OpenOptions readOptions() const;

  std::unique_ptr<store::Database> db_;
  QString path_;
  std::vector<store::StudyInfo> studies_;
  std::optional<StudyData> study_;
  double last_load_seconds_ = 0;
  QTimer poll_timer_;
  int poll_interval_ms_ = 1000;
  std::chrono::milliseconds busy_timeout_{1500};
};

// "Cannot open <what>: <store message>" for any exception from the store.
QString describeFailure(const QString& what, const std::exception& failure);

}  // namespace accelscope::gui
