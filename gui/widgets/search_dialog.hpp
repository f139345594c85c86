// Asks what to search: a shipped or own design-space file, the strategy, budget, seed, threads,
// the study name and the database to write.
#pragma once

#include <QDialog>
#include <filesystem>
#include <vector>

#include "gui/core/cli.hpp"

class QComboBox;
class QSpinBox;
class QLineEdit;
class QLabel;

namespace accelscope::gui {

class SearchDialog : public QDialog {
  Q_OBJECT

 public:
  SearchDialog(const std::vector<std::filesystem::path>& shipped_spaces, const QString& database,
               const QString& cli, QWidget* parent = nullptr);
  SearchRequest request() const;

 private:
  void updateStudyName();
  void validate();

  QComboBox* space_;
  QComboBox* strategy_;
  QSpinBox* budget_;
  QSpinBox* seed_;
  QSpinBox* threads_;
  QLineEdit* study_;
  QLineEdit* database_;
  QLabel* problem_;
  QPushButton* ok_ = nullptr;
  bool study_edited_ = false;
  bool cli_found_ = false;
};

// Where shipped design spaces live: ACCELSCOPE_DATA_DIR, the source tree's spaces/ (compiled
// in), and share/accelscope/spaces next to an installed executable.
std::vector<std::filesystem::path> spaceSearchDirectories();

}  // namespace accelscope::gui
