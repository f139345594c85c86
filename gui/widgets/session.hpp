// The open study database as the widgets see it: one read-only connection, the list of studies,
// the selected study's data, and polling so that a search writing the same file shows up live.
// Errors never throw out of here: they are emitted as one-line messages.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "gui/core/report_picks.hpp"
#include "gui/core/study_data.hpp"
#include "reports/report_data.hpp"
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
  // Loads a study's designs; false (and errorOccurred) if it cannot be read. A study of more
  // than previewThreshold() designs is shown first as a preview (its front and an even sample,
  // StudyData::load_preview) while a background thread reads every design; studyCompleted()
  // follows when it has replaced the preview. The window stays responsive meanwhile.
  bool selectStudy(store::StudyId id);
  // Designs above which a study is previewed first (0: never); the preview's sample size.
  void setPreview(std::size_t threshold_designs, std::size_t sample_designs);
  std::size_t previewThreshold() const { return preview_threshold_; }
  // Whether a background load of the selected study is under way.
  bool loading() const { return !study_complete_; }
  const StudyData* study() const { return study_ ? &*study_ : nullptr; }

  // A design's stored breakdown; nullopt when none is stored (or reading failed: errorOccurred).
  std::optional<nlohmann::json> breakdown(store::TrialId trial);
  // A design as the report reads it (metrics, parameters, per-workload details such as serving
  // tenants); nullopt when it cannot be read (errorOccurred).
  std::optional<reports::Design> reportDesign(store::TrialId trial);
  // The selected study's knee and shortlist as its report picks them; nullopt (and
  // errorOccurred) if they cannot be read.
  std::optional<ReportPicks> reportPicks();
  // Another study of the open file, or of another file, read once (for overlays).
  std::optional<StudyData> loadStudy(const QString& path, store::StudyId id);

  // Live refresh: polls every interval (0 turns it off).
  void setPollInterval(int milliseconds);
  int pollInterval() const { return poll_interval_ms_; }
  // Seconds the last selectStudy() spent reading the study (the preview's, when there is one).
  double lastLoadSeconds() const { return last_load_seconds_; }
  // Seconds from selectStudy() until every design was read (equal to lastLoadSeconds() without
  // a preview); 0 while loading.
  double completeLoadSeconds() const { return complete_load_seconds_; }
  // How long a read waits for a writer's lock before reporting the file locked.
  void setBusyTimeout(std::chrono::milliseconds timeout) { busy_timeout_ = timeout; }

 public slots:
  // Re-lists the studies and picks up new results of the selected study.
  void refresh();

 signals:
  void opened(const QString& path);
  void closed();
  void studiesChanged();
  void studyLoaded();            // a study was selected and read
  void studyUpdated(int added);  // the selected study changed while open (live)
  // Every design of the selected study is now shown (after a preview: its full read replaced
  // it, and studyUpdated was emitted; without one: right after studyLoaded).
  void studyCompleted();
  void errorOccurred(const QString& message);  // opening or reading failed
  void refreshFailed(const QString& message);  // a poll failed; polling goes on

 private:
  store::OpenOptions readOptions() const;
  void stopLoader();
  void startFullLoad(store::StudyId id, std::uint64_t generation);
  void finishFullLoad(std::uint64_t generation, std::shared_ptr<StudyData> loaded, QString failure);

  std::unique_ptr<store::Database> db_;
  QString path_;
  std::vector<store::StudyInfo> studies_;
  std::optional<StudyData> study_;
  double last_load_seconds_ = 0;
  double complete_load_seconds_ = 0;
  std::size_t preview_threshold_ = 200'000;
  std::size_t preview_sample_ = 50'000;
  // The background read of the whole study; a newer selection or close() stops it (its result,
  // if it still arrives, carries an old generation and is dropped).
  std::jthread loader_;
  std::uint64_t generation_ = 0;
  bool study_complete_ = true;
  QElapsedTimer load_timer_;
  QTimer poll_timer_;
  int poll_interval_ms_ = 1000;
  std::chrono::milliseconds busy_timeout_{1500};
};

// "Cannot open <what>: <store message>" for any exception from the store.
QString describeFailure(const QString& what, const std::exception& failure);

}  // namespace accelscope::gui
