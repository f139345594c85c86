// Cost of one good die: dies per wafer from the die area (gross dies with edge loss), yield from a
// negative-binomial defect model, the wafer price, and package and final test per die. Every
// figure comes from the technology description (spaces/tech/technology.json, "die_cost").
#pragma once

namespace accelscope::model {

struct DieCostFigures {
  double wafer_diameter_mm = 300;
  double edge_exclusion_mm = 3;         // ring at the wafer's edge where no die is good
  double scribe_mm = 0.1;               // saw street added to each die side
  double wafer_usd = 0;                 // price of one processed wafer at the node
  double defects_per_cm2 = 0;           // D0 at the node
  double clustering_alpha = 3;          // negative binomial clustering parameter
  double package_test_usd = 0;          // per die: fixed part
  double package_test_usd_per_mm2 = 0;  // per die: part growing with the die area
};

struct DieCost {
  double dies_per_wafer = 0;  // gross (whole dies on the usable wafer), before yield
  double yield = 0;           // fraction of dies without a killer defect
  double silicon_usd = 0;     // wafer price / good dies
  double package_test_usd = 0;
  double total_usd() const { return silicon_usd + package_test_usd; }
};

// Dies per wafer: pi d^2 / (4 S) - pi d / sqrt(2 S), d the wafer diameter less the edge
// exclusion, S the die area with its scribe (de Vries, IEEE Trans. Semicond. Manuf. 2005), floored
// and never negative. Yield: (1 + A D0 / alpha)^-alpha, A the die area in cm2. A die too large for
// the wafer has no dies per wafer and an infinite silicon cost.
DieCost die_cost(double die_area_mm2, const DieCostFigures& figures);

}  // namespace accelscope::model
