#include "net/ws/internal/block_pool.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace nzl::net::ws::internal {
namespace {

TEST(WsBlockPoolTest, AGivenBackBlockIsReusedWithoutTheHeap) {
  block_pool pool{8};
  void* a = pool.allocate(300);
  pool.deallocate(a, 300);
  EXPECT_EQ(pool.free_blocks(), 1u);
  EXPECT_EQ(pool.allocate(500), a); // any size up to a block
  EXPECT_EQ(pool.free_blocks(), 0u);
  pool.deallocate(a, 500);
}

TEST(WsBlockPoolTest, KeepsAtMostMaxFreeBlocks) {
  block_pool pool{4};
  std::vector<void*> taken;
  for (int i = 0; i < 10; ++i)
    taken.push_back(pool.allocate(64));
  for (auto* p : taken)
    pool.deallocate(p, 64);
  EXPECT_EQ(pool.free_blocks(), 4u); // the other six went back to the heap
}

TEST(WsBlockPoolTest, BigRequestsBypassThePool) {
  block_pool pool{4};
  void* big = pool.allocate(block_pool::block_size + 1);
  std::memset(big, 0xab, block_pool::block_size + 1);
  pool.deallocate(big, block_pool::block_size + 1);
  EXPECT_EQ(pool.free_blocks(), 0u);
}

TEST(WsBlockPoolTest, BlocksAreWholeAndMayMoveBetweenPools) {
  block_pool first{4};
  block_pool second{4};
  void* p = first.allocate(16);
  std::memset(p, 0xcd, block_pool::block_size); // a whole block is usable
  second.deallocate(p, 16);                     // a write finished on another thread
  EXPECT_EQ(second.free_blocks(), 1u);
  EXPECT_EQ(second.allocate(block_pool::block_size), p);
  second.deallocate(p, block_pool::block_size);
}

} // namespace
} // namespace nzl::net::ws::internal
