#include "gui/core/importance.hpp"

#include <cmath>
#include <limits>

namespace accelscope::gui {

StudyImportance study_importance(const StudyData& study) {
  StudyImportance out;
  std::vector<bool> categorical;
  for (const FieldId& id : study.space_params()) {
    const Field* field = study.field(id);
    out.parameters.push_back(id);
    categorical.push_back(field && !field->numeric);
  }
  for (const store::Objective& objective : study.info().objectives) {
    if (study.field(metric(objective.name))) out.objectives.push_back(metric(objective.name));
  }
  if (out.parameters.empty() || out.objectives.empty()) return out;

  // Column by column: a text value counts by its index (a category), a number as itself.
  const DesignColumns& columns = study.columns();
  std::vector<const NumberColumn*> parameter_numbers, objective_numbers;
  std::vector<const TextColumn*> parameter_texts;
  for (const FieldId& id : out.parameters) {
    parameter_numbers.push_back(columns.numbers_of(id));
    const auto found = columns.column_of.find(id);
    parameter_texts.push_back(found == columns.column_of.end() ? nullptr
                                                               : columns.texts_of(found->second));
  }
  for (const FieldId& id : out.objectives) objective_numbers.push_back(columns.numbers_of(id));

  constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
  search::ImportanceSampler sampler(out.parameters.size(), out.objectives.size());
  std::vector<double> parameters(out.parameters.size()), objectives(out.objectives.size());
  for (const Design& design : study.designs()) {
    for (std::size_t j = 0; j < parameters.size(); ++j) {
      const TextColumn* texts = parameter_texts[j];
      if (texts && (*texts)[design.row] >= 0) {
        parameters[j] = (*texts)[design.row];
      } else {
        parameters[j] = parameter_numbers[j] ? (*parameter_numbers[j])[design.row] : kMissing;
      }
    }
    for (std::size_t o = 0; o < objectives.size(); ++o)
      objectives[o] = objective_numbers[o] ? (*objective_numbers[o])[design.row] : kMissing;
    sampler.add(parameters, objectives);
  }
  out.table = sampler.compute(categorical);
  return out;
}

}  // namespace accelscope::gui
