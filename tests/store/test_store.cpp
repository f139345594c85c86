#include <catch2/catch.hpp>

#include "store/database.hpp"

TEST_CASE("placeholder") { CHECK(true); }
