#include "gui/widgets/search_dialog.hpp"

#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace accelscope::gui {

std::vector<std::filesystem::path> spaceSearchDirectories() {
  std::vector<std::filesystem::path> directories;
  if (const QByteArray data = qgetenv("ACCELSCOPE_DATA_DIR"); !data.isEmpty()) {
    directories.emplace_back(data.toStdString());
  }
#ifdef ACCELSCOPE_GUI_DATA_DIR
  directories.emplace_back(ACCELSCOPE_GUI_DATA_DIR);
#endif
  const QString app = QCoreApplication::applicationDirPath();
  directories.emplace_back((app + "/../share/accelscope/spaces").toStdString());
  return directories;
}

SearchDialog::SearchDialog(const std::vector<std::filesystem::path>& shipped_spaces,
                           const QString& database, const QString& cli, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("New search"));
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;

  auto* space_row = new QHBoxLayout;
  space_ = new QComboBox(this);
  space_->setEditable(true);
  space_->setMinimumContentsLength(40);
  for (const std::filesystem::path& path : shipped_spaces) {
    const QString file = QString::fromStdString(path.string());
    space_->addItem(QFileInfo(file).fileName(), file);
  }
  auto* browse_space = new QPushButton(tr("Browse…"), this);
  space_row->addWidget(space_, 1);
  space_row->addWidget(browse_space);
  form->addRow(tr("Design space:"), space_row);

  strategy_ = new QComboBox(this);
  for (const std::string& name : search_strategies())
    strategy_->addItem(QString::fromStdString(name));
  form->addRow(tr("Strategy:"), strategy_);
  budget_ = new QSpinBox(this);
  budget_->setRange(1, 10'000'000);
  budget_->setValue(200);
  form->addRow(tr("Budget (designs):"), budget_);
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1'000'000'000);
  seed_->setValue(1);
  form->addRow(tr("Seed:"), seed_);
  threads_ = new QSpinBox(this);
  threads_->setRange(0, 1024);
  threads_->setSpecialValueText(tr("default"));
  form->addRow(tr("Threads:"), threads_);
  study_ = new QLineEdit(this);
  form->addRow(tr("Study name:"), study_);

  auto* db_row = new QHBoxLayout;
  database_ = new QLineEdit(database, this);
  auto* browse_db = new QPushButton(tr("Browse…"), this);
  db_row->addWidget(database_, 1);
  db_row->addWidget(browse_db);
  form->addRow(tr("Database:"), db_row);
  layout->addLayout(form);

  auto* cli_label = new QLabel(cli.isEmpty() ? tr("<b>accelscope CLI not found</b> (set "
                                                  "ACCELSCOPE_CLI or put it on PATH)")
                                             : tr("Runs: %1").arg(cli),
                               this);
  cli_label->setWordWrap(true);
  layout->addWidget(cli_label);
  problem_ = new QLabel(this);
  problem_->setStyleSheet("color: #b02020");
  layout->addWidget(problem_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText(tr("Start search"));
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  connect(browse_space, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Design space"), QString(),
                                                      tr("Design spaces (*.json);;All files (*)"));
    if (file.isEmpty()) return;
    space_->addItem(QFileInfo(file).fileName(), file);
    space_->setCurrentIndex(space_->count() - 1);
  });
  connect(browse_db, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getSaveFileName(this, tr("Study database"), database_->text(),
                                                      tr("Study databases (*.sqlite *.db)"),
                                                      nullptr, QFileDialog::DontConfirmOverwrite);
    if (!file.isEmpty()) database_->setText(file);
  });
  connect(space_, &QComboBox::currentTextChanged, this, [this] {
    updateStudyName();
    validate();
  });
  connect(strategy_, &QComboBox::currentTextChanged, this, [this] { updateStudyName(); });
  connect(seed_, &QSpinBox::valueChanged, this, [this] { updateStudyName(); });
  connect(study_, &QLineEdit::textEdited, this, [this] {
    study_edited_ = true;
    validate();
  });
  connect(database_, &QLineEdit::textChanged, this, [this] { validate(); });
  cli_found_ = !cli.isEmpty();
  updateStudyName();
  validate();
}

SearchRequest SearchDialog::request() const {
  SearchRequest request;
  const QVariant item = space_->currentData();
  const QString space =
      item.isValid() && space_->currentText() == space_->itemText(space_->currentIndex())
          ? item.toString()
          : space_->currentText();
  request.space = space.toStdString();
  request.database = database_->text().toStdString();
  request.strategy = strategy_->currentText().toStdString();
  request.budget = budget_->value();
  request.seed = seed_->value();
  if (threads_->value() > 0) request.threads = threads_->value();
  request.study = study_->text().trimmed().toStdString();
  return request;
}

void SearchDialog::updateStudyName() {
  if (study_edited_) return;
  study_->setText(QString::fromStdString(
      default_study_name(request().space, strategy_->currentText().toStdString(), seed_->value())));
}

void SearchDialog::validate() {
  const SearchRequest current = request();
  QString problem;
  if (!QFileInfo::exists(QString::fromStdString(current.space.string()))) {
    problem = tr("Choose an existing design-space file.");
  } else if (current.database.empty()) {
    problem = tr("Choose the database file to write.");
  } else if (current.study.empty()) {
    problem = tr("Give the study a name.");
  }
  problem_->setText(problem);
  if (ok_) ok_->setEnabled(problem.isEmpty() && cli_found_);
}

}  // namespace accelscope::gui
