// SPDX-License-Identifier: GPL-2.0-or-later
// PodArray: a growable array of trivially copyable values (row numbers, sort keys, index
// slots) that grows in place where the allocator can, and ZeroedBlock, the memory under
// it. Qt-free, header-only.
//
// Why not std::vector: a vector grows by allocating twice its capacity and copying every
// element there. At a million rows that is megabytes of fresh memory touched at once, and
// each fresh page costs a fault and the kernel's clearing of it: measured during a 1M-route
// burst, one 8 MB vector growing took 20+ ms of a GUI publication (2.5-8 us a page on a
// loaded 2-core VM). A PodArray grows with realloc(): glibc extends a chunk in place when
// it can, and a large chunk (its own mapping) with mremap(), which moves page tables and
// copies nothing; new pages are then faulted a few at a time as elements are written.
// (Blocks mapped here directly with mmap/mremap were tried: no better stalls, and 10-20 MB
// more resident memory after a 1M-route burst than glibc's choice, which reuses the heap.)
//
// New elements are zero, so T must be trivially copyable and zero-valued when all its
// bytes are zero (integers, and structs of them). Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <new>
#include <type_traits>
#include <utility>

namespace ncv::platform {

/// Memory that starts zeroed and grows with realloc(): allocate(bytes), resize(p, old, new) and
/// release(p). Throws std::bad_alloc when the memory cannot be had.
struct ZeroedBlock {
    /// `bytes` zero bytes (nullptr for 0). calloc: a large block is fresh zero pages that
    /// are not written until used.
    static void *allocate(std::size_t bytes)
    {
        if (bytes == 0)
            return nullptr;
        void *p = std::calloc(1, bytes);
        if (!p)
            throw std::bad_alloc();
        return p;
    }
    /// The block p of oldBytes, now newBytes long: the first min(old, new) bytes kept, the
    /// rest unspecified (not written here: clearing a grown tail would fault in every new
    /// page at once; PodArray clears only the elements it adds). May move it (the returned
    /// pointer); p is then no longer valid.
    static void *resize(void *p, std::size_t oldBytes, std::size_t newBytes)
    {
        if (!p || oldBytes == 0) {
            release(p);
            return allocate(newBytes);
        }
        if (newBytes == 0) {
            release(p);
            return nullptr;
        }
        void *q = std::realloc(p, newBytes);
        if (!q)
            throw std::bad_alloc();
        return q;
    }
    static void release(void *p) { std::free(p); }
};

/// A growable array of T (trivially copyable, zero when all bytes are zero) with the subset
/// of std::vector's interface the tables use. Capacity grows by half again (at least to the
/// size asked for) and never shrinks except by shrink_to_fit() or a move/swap away.
template<typename T> class PodArray {
    static_assert(std::is_trivially_copyable_v<T>, "PodArray holds trivially copyable values only");

public:
    using value_type = T;
    using size_type = std::size_t;
    using iterator = T *;
    using const_iterator = const T *;

    PodArray() = default;
    explicit PodArray(std::size_t n) { resize(n); }
    PodArray(std::size_t n, const T &value) { assign(n, value); }
    template<typename It, typename = typename std::iterator_traits<It>::iterator_category> PodArray(It first, It last)
    {
        assign(first, last);
    }
    PodArray(const PodArray &other) { assign(other.begin(), other.end()); }
    PodArray(PodArray &&other) noexcept { swap(other); }
    PodArray &operator=(const PodArray &other)
    {
        if (this != &other)
            assign(other.begin(), other.end());
        return *this;
    }
    PodArray &operator=(PodArray &&other) noexcept
    {
        PodArray(std::move(other)).swap(*this);
        return *this;
    }
    ~PodArray() { ZeroedBlock::release(m_data); }

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::size_t capacity() const { return m_capacity; }
    T *data() { return m_data; }
    const T *data() const { return m_data; }
    T *begin() { return m_data; }
    T *end() { return m_data + m_size; }
    const T *begin() const { return m_data; }
    const T *end() const { return m_data + m_size; }
    T &operator[](std::size_t i) { return m_data[i]; }
    const T &operator[](std::size_t i) const { return m_data[i]; }
    T &back() { return m_data[m_size - 1]; }
    const T &back() const { return m_data[m_size - 1]; }

    void reserve(std::size_t n)
    {
        if (n > m_capacity)
            setCapacity(n);
    }
    /// Drops the elements, keeps the memory.
    void clear() { m_size = 0; }
    /// Gives back the memory beyond the elements.
    void shrink_to_fit()
    {
        if (m_capacity > m_size)
            setCapacity(m_size);
    }
    /// New elements are zero (T{} for the types allowed).
    void resize(std::size_t n)
    {
        if (n > m_size) {
            grow(n);
            zero(m_size, n);
        }
        m_size = n;
    }
    void resize(std::size_t n, const T &value)
    {
        if (n > m_size) {
            grow(n);
            std::fill(m_data + m_size, m_data + n, value);
        }
        m_size = n;
    }
    void assign(std::size_t n, const T &value)
    {
        m_size = 0;
        resize(n, value);
    }
    template<typename It, typename = typename std::iterator_traits<It>::iterator_category>
    void assign(It first, It last)
    {
        const std::size_t n = std::size_t(std::distance(first, last));
        m_size = 0;
        grow(n);
        std::copy(first, last, m_data);
        m_size = n;
    }
    void push_back(const T &value)
    {
        if (m_size == m_capacity) {
            const T copy = value; // value may live in this array
            grow(m_size + 1);
            m_data[m_size++] = copy;
            return;
        }
        m_data[m_size++] = value;
    }
    /// Inserts [first, last) (not from this array) before pos; returns the first inserted.
    template<typename It, typename = typename std::iterator_traits<It>::iterator_category>
    T *insert(const T *pos, It first, It last)
    {
        const std::size_t at = std::size_t(pos - m_data);
        const std::size_t n = std::size_t(std::distance(first, last));
        openGap(at, n);
        std::copy(first, last, m_data + at);
        return m_data + at;
    }
    /// Inserts n copies of value before pos; returns the first inserted.
    T *insert(const T *pos, std::size_t n, const T &value)
    {
        const std::size_t at = std::size_t(pos - m_data);
        const T copy = value;
        openGap(at, n);
        std::fill(m_data + at, m_data + at + n, copy);
        return m_data + at;
    }
    /// Removes [first, last); returns the element after them.
    T *erase(const T *first, const T *last)
    {
        const std::size_t at = std::size_t(first - m_data);
        const std::size_t n = std::size_t(last - first);
        if (n > 0) {
            std::memmove(m_data + at, m_data + at + n, (m_size - at - n) * sizeof(T));
            m_size -= n;
        }
        return m_data + at;
    }
    /// n zero elements in fresh memory from calloc (a large block is zero pages that are
    /// not written until used, unlike resize(), which clears what it adds); the elements
    /// held before are dropped.
    void assignZeroed(std::size_t n)
    {
        PodArray fresh;
        fresh.m_data = static_cast<T *>(ZeroedBlock::allocate(n * sizeof(T)));
        fresh.m_size = fresh.m_capacity = n;
        swap(fresh);
    }
    void swap(PodArray &other) noexcept
    {
        std::swap(m_data, other.m_data);
        std::swap(m_size, other.m_size);
        std::swap(m_capacity, other.m_capacity);
    }
    friend void swap(PodArray &a, PodArray &b) noexcept { a.swap(b); }

    /// Bytes held (the capacity's), for memory accounting.
    std::size_t memoryBytes() const { return m_capacity * sizeof(T); }

private:
    void grow(std::size_t n)
    {
        if (n > m_capacity)
            setCapacity(std::max(n, m_capacity + m_capacity / 2));
    }
    void setCapacity(std::size_t n)
    {
        m_data = static_cast<T *>(ZeroedBlock::resize(m_data, m_capacity * sizeof(T), n * sizeof(T)));
        m_capacity = n;
    }
    void zero(std::size_t from, std::size_t to)
    {
        if (to > from)
            std::memset(static_cast<void *>(m_data + from), 0, (to - from) * sizeof(T));
    }
    void openGap(std::size_t at, std::size_t n)
    {
        if (n == 0)
            return;
        grow(m_size + n);
        std::memmove(m_data + at + n, m_data + at, (m_size - at) * sizeof(T));
        m_size += n;
    }

    T *m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

} // namespace ncv::platform
