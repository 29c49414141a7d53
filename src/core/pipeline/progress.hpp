#pragma once
// A progress line on stderr (blocks/s, Transfer logs/s, ETA) when stderr is a terminal; silent
// otherwise, so timers and pipes get clean logs.
#include <chrono>
#include <cstdint>
#include <string>

namespace chainidx::pipeline {

class Progress {
  public:
    Progress(std::string chain, std::string verb, uint64_t from, uint64_t to);
    void update(uint64_t block, uint64_t transfers);
    void finish();

  private:
    std::string m_chain, m_verb;
    uint64_t m_from, m_to;
    bool m_enabled;
    bool m_printed = false;
    std::chrono::steady_clock::time_point m_start, m_last;
};

}  // namespace chainidx::pipeline
