#include "model/report.hpp"

namespace accelscope::model {

Energy operator*(const Energy& e, double factor) {
  Energy r = e;
  r.mac_pj *= factor;
  r.sram_pj *= factor;
  r.dram_pj *= factor;
  r.io_pj *= factor;
  r.vector_pj *= factor;
  r.leakage_pj *= factor;
  return r;
}

double Costs::dram_read_total() const {
  double total = 0;
  for (double bytes : dram_read_bytes) total += bytes;
  return total;
}

double Costs::dram_write_total() const {
  double total = 0;
  for (double bytes : dram_write_bytes) total += bytes;
  return total;
}

Costs operator*(const Costs& c, double factor) {
  Costs r;
  r.macs = c.macs * factor;
  r.compute_cycles = c.compute_cycles * factor;
  r.stall_cycles = c.stall_cycles * factor;
  r.total_cycles = c.total_cycles * factor;
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    r.sram_reads[b] = c.sram_reads[b] * factor;
    r.sram_writes[b] = c.sram_writes[b] * factor;
    r.dram_read_bytes[b] = c.dram_read_bytes[b] * factor;
    r.dram_write_bytes[b] = c.dram_write_bytes[b] * factor;
  }
  r.energy = c.energy * factor;
  r.busy_pe_cycles = c.busy_pe_cycles * factor;
  return r;
}

double AreaBreakdown::core_mm2() const {
  double total = pe_array_mm2 + vector_unit_mm2;
  for (double a : sram_mm2) total += a;
  return total;
}

double AreaBreakdown::total_mm2() const {
  return core_mm2() + io_mm2 + overhead_mm2;
}

std::string_view to_string(Residence residence) {
  switch (residence) {
    case Residence::dram:
      return "dram";
    case Residence::sram:
      return "sram";
    case Residence::fused:
      return "fused";
  }
  return "?";
}

double NetworkTotals::nonconv_cycle_share() const {
  return all.total_cycles > 0 ? nonconv.total_cycles / all.total_cycles : 0.0;
}

}  // namespace accelscope::model
