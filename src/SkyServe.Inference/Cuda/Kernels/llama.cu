// The CUDA engine's kernels, compiled at start by NVRTC for the device's own architecture. The model's shape comes in
// as macros (HEAD_DIM, N_HEADS, N_KV_HEADS, KV_BLOCK, SLIDING_WINDOW), so loops over a head have fixed trip counts.
// bfloat16 is handled as raw 16-bit patterns (no CUDA headers needed); arithmetic is float32 throughout.
typedef unsigned short bf16;

#define WARP 32
#define QKV_DIM ((N_HEADS + 2 * N_KV_HEADS) * HEAD_DIM)
#define PER_LANE ((HEAD_DIM + WARP - 1) / WARP)
#define ATTENTION_WARPS 8
#define ATTENTION_UNROLL 4
#define NEG_INF (-__int_as_float(0x7f800000))

__device__ __forceinline__ float bf2f(bf16 h) { return __uint_as_float(((unsigned)h) << 16); }

__device__ __forceinline__ bf16 f2bf(float f)
{
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u); // NaN stays NaN
    u += 0x7fffu + ((u >> 16) & 1u); // round to nearest even
    return (bf16)(u >> 16);
}

__device__ __forceinline__ float warp_sum(float v)
{
    for (int o = WARP / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v)
{
    for (int o = WARP / 2; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block (blockDim.x a multiple of 32); every thread gets the result.
__device__ float block_sum(float v)
{
    __shared__ float partial[32];
    __shared__ float total;
    v = warp_sum(v);
    int lane = threadIdx.x % WARP, warp = threadIdx.x / WARP;
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0)
    {
        float s = lane < blockDim.x / WARP ? partial[lane] : 0.f;
        s = warp_sum(s);
        if (lane == 0) total = s;
    }
    __syncthreads();
    return total;
}

// hidden[row] = embedding[token[row]] widened to float32.
extern "C" __global__ void embed(const int* tokens, const bf16* table, float* hidden, int hiddenSize)
{
    int row = blockIdx.x;
    const bf16* source = table + (long long)tokens[row] * hiddenSize;
    for (int i = threadIdx.x; i < hiddenSize; i += blockDim.x)
        hidden[(long long)row * hiddenSize + i] = bf2f(source[i]);
}

// hidden[row] += delta[row] (+ bias), then out[row] = rmsnorm(hidden[row]) * weight. delta may be null (norm only).
extern "C" __global__ void add_rmsnorm(float* hidden, const bf16* delta, const float* bias, const float* weight, bf16* out, int hiddenSize, float eps)
{
    int row = blockIdx.x;
    float* x = hidden + (long long)row * hiddenSize;
    float squares = 0.f;
    for (int i = threadIdx.x; i < hiddenSize; i += blockDim.x)
    {
        float v = x[i];
        if (delta) v += bf2f(delta[(long long)row * hiddenSize + i]) + (bias ? bias[i] : 0.f);
        x[i] = v;
        squares += v * v;
    }
    float scale = rsqrtf(block_sum(squares) / hiddenSize + eps);
    for (int i = threadIdx.x; i < hiddenSize; i += blockDim.x)
        out[(long long)row * hiddenSize + i] = f2bf(weight[i] * (x[i] * scale));
}

// dst[r] = src[rows[r]] for the rows whose logits are wanted.
extern "C" __global__ void gather_rows(const bf16* src, const int* rows, bf16* dst, int width)
{
    int r = blockIdx.x;
    const bf16* from = src + (long long)rows[r] * width;
    for (int i = threadIdx.x; i < width; i += blockDim.x)
        dst[(long long)r * width + i] = from[i];
}

// The KV slot of a sequence's position: its block from the block table, then the offset inside the block.
__device__ __forceinline__ long long kv_slot(const int* blockTables, int tableStride, int sequence, int position)
{
    int block = blockTables[sequence * tableStride + position / KV_BLOCK];
    return (long long)block * KV_BLOCK + position % KV_BLOCK;
}

// Adds the q/k/v biases, rotates queries (in place) and keys by their positions (rotate-half convention), and writes
// keys and values into this layer's paged cache. One block per token row.
extern "C" __global__ void rope_store(bf16* qkv, const float* qkvBias, const int* positions, const int* rowSequence,
    const int* blockTables, const int* header, const float* inverseFrequencies, bf16* keyCache, bf16* valueCache)
{
    int row = blockIdx.x;
    int position = positions[row];
    bf16* x = qkv + (long long)row * QKV_DIM;
    long long slot = kv_slot(blockTables, header[0], rowSequence[row], position);
    const int half = HEAD_DIM / 2;
    for (int p = threadIdx.x; p < (N_HEADS + N_KV_HEADS) * half; p += blockDim.x)
    {
        int head = p / half, i = p % half;
        int a = head * HEAD_DIM + i, b = a + half;
        float x1 = bf2f(x[a]) + (qkvBias ? qkvBias[a] : 0.f);
        float x2 = bf2f(x[b]) + (qkvBias ? qkvBias[b] : 0.f);
        float s, c;
        sincosf((float)position * inverseFrequencies[i], &s, &c);
        bf16 r1 = f2bf(x1 * c - x2 * s), r2 = f2bf(x2 * c + x1 * s);
        if (head < N_HEADS)
        {
            x[a] = r1;
            x[b] = r2;
        }
        else
        {
            bf16* k = keyCache + (slot * N_KV_HEADS + (head - N_HEADS)) * HEAD_DIM;
            k[i] = r1;
            k[i + half] = r2;
        }
    }
    const int valueStart = (N_HEADS + N_KV_HEADS) * HEAD_DIM;
    for (int i = threadIdx.x; i < N_KV_HEADS * HEAD_DIM; i += blockDim.x)
        valueCache[slot * N_KV_HEADS * HEAD_DIM + i] = f2bf(bf2f(x[valueStart + i]) + (qkvBias ? qkvBias[valueStart + i] : 0.f));
}

// Causal attention of one query row and one head over its sequence's cached positions (itself included), reading keys
// and values from the paged cache. Each warp keeps an online softmax over every ATTENTION_WARPS-th position; the warps'
// partial results are merged at the end. Serves prefill chunks and decode steps alike.
extern "C" __global__ void attention(const bf16* qkv, const int* positions, const int* rowSequence, const int* blockTables,
    const int* header, const bf16* keyCache, const bf16* valueCache, bf16* out, float scale)
{
    int row = blockIdx.x, head = blockIdx.y;
    int kvHead = head / (N_HEADS / N_KV_HEADS);
    int lane = threadIdx.x % WARP, warp = threadIdx.x / WARP;
    int position = positions[row], sequence = rowSequence[row], tableStride = header[0];
    const int* table = blockTables + sequence * tableStride;
    const bf16* q = qkv + (long long)row * QKV_DIM + head * HEAD_DIM;

    float query[PER_LANE], acc[PER_LANE];
    #pragma unroll
    for (int j = 0; j < PER_LANE; j++)
    {
        int d = lane + j * WARP;
        query[j] = d < HEAD_DIM ? bf2f(q[d]) * scale : 0.f;
        acc[j] = 0.f;
    }
    float maximum = NEG_INF, sum = 0.f;
    int first = SLIDING_WINDOW > 0 ? max(0, position - SLIDING_WINDOW + 1) : 0;
    // Each warp takes ATTENTION_UNROLL consecutive positions at a time, so that their loads are in flight together.
    for (int base = first + warp * ATTENTION_UNROLL; base <= position; base += ATTENTION_WARPS * ATTENTION_UNROLL)
    {
        float dots[ATTENTION_UNROLL];
        const bf16* values[ATTENTION_UNROLL];
        #pragma unroll
        for (int u = 0; u < ATTENTION_UNROLL; u++)
        {
            int t = min(base + u, position); // past the end: a harmless reload of the last position, masked below
            long long slot = (long long)table[t / KV_BLOCK] * KV_BLOCK + t % KV_BLOCK;
            const bf16* k = keyCache + (slot * N_KV_HEADS + kvHead) * HEAD_DIM;
            values[u] = valueCache + (slot * N_KV_HEADS + kvHead) * HEAD_DIM;
            float dot = 0.f;
            #pragma unroll
            for (int j = 0; j < PER_LANE; j++)
            {
                int d = lane + j * WARP;
                if (d < HEAD_DIM) dot += query[j] * bf2f(k[d]);
            }
            dots[u] = dot;
        }
        float blockMax = NEG_INF;
        #pragma unroll
        for (int u = 0; u < ATTENTION_UNROLL; u++)
        {
            dots[u] = warp_sum(dots[u]);
            if (base + u <= position) blockMax = fmaxf(blockMax, dots[u]);
        }
        float next = fmaxf(maximum, blockMax);
        float correction = __expf(maximum - next);
        sum *= correction;
        #pragma unroll
        for (int j = 0; j < PER_LANE; j++) acc[j] *= correction;
        #pragma unroll
        for (int u = 0; u < ATTENTION_UNROLL; u++)
        {
            if (base + u > position) break;
            float weight = __expf(dots[u] - next);
            sum += weight;
            #pragma unroll
            for (int j = 0; j < PER_LANE; j++)
            {
                int d = lane + j * WARP;
                if (d < HEAD_DIM) acc[j] += weight * bf2f(values[u][d]);
            }
        }
        maximum = next;
    }

    __shared__ float warpMax[ATTENTION_WARPS], warpSum[ATTENTION_WARPS];
    __shared__ float warpAcc[ATTENTION_WARPS][PER_LANE * WARP];
    if (lane == 0)
    {
        warpMax[warp] = maximum;
        warpSum[warp] = sum;
    }
    #pragma unroll
    for (int j = 0; j < PER_LANE; j++) warpAcc[warp][lane + j * WARP] = acc[j];
    __syncthreads();
    float total = NEG_INF;
    for (int w = 0; w < ATTENTION_WARPS; w++) total = fmaxf(total, warpMax[w]);
    for (int d = threadIdx.x; d < HEAD_DIM; d += blockDim.x)
    {
        float numerator = 0.f, denominator = 0.f;
        for (int w = 0; w < ATTENTION_WARPS; w++)
        {
            if (warpMax[w] == NEG_INF) continue; // this warp saw no position
            float c = __expf(warpMax[w] - total);
            numerator += warpAcc[w][d] * c;
            denominator += warpSum[w] * c;
        }
        out[(long long)row * N_HEADS * HEAD_DIM + head * HEAD_DIM + d] = f2bf(numerator / denominator);
    }
}

// SwiGLU: out = silu(gate) * up, from the fused [gate | up] projection (+ biases).
extern "C" __global__ void silu_mul(const bf16* gateUp, const float* bias, bf16* out, int intermediate, int rows)
{
    long long total = (long long)rows * intermediate;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x)
    {
        long long row = i / intermediate;
        int c = (int)(i % intermediate);
        float g = bf2f(gateUp[row * 2 * intermediate + c]) + (bias ? bias[c] : 0.f);
        float u = bf2f(gateUp[row * 2 * intermediate + intermediate + c]) + (bias ? bias[intermediate + c] : 0.f);
        out[i] = f2bf(g / (1.f + __expf(-g)) * u);
    }
}

#define GEMV_MAX_ROWS 2
#define GEMV_WARPS 8

__device__ __forceinline__ float dot8(uint4 w, uint4 x)
{
    return __uint_as_float(w.x << 16) * __uint_as_float(x.x << 16) + __uint_as_float(w.x & 0xffff0000u) * __uint_as_float(x.x & 0xffff0000u)
         + __uint_as_float(w.y << 16) * __uint_as_float(x.y << 16) + __uint_as_float(w.y & 0xffff0000u) * __uint_as_float(x.y & 0xffff0000u)
         + __uint_as_float(w.z << 16) * __uint_as_float(x.z << 16) + __uint_as_float(w.z & 0xffff0000u) * __uint_as_float(x.z & 0xffff0000u)
         + __uint_as_float(w.w << 16) * __uint_as_float(x.w << 16) + __uint_as_float(w.w & 0xffff0000u) * __uint_as_float(x.w & 0xffff0000u);
}

// y[n] = sum_k w[n, k] x[k] for one row (batch-1 decode): one warp per output, eight 16-byte weight loads in flight per
// lane (streamed past the caches: each is read once), the input vector from the read-only cache.
extern "C" __global__ void gemv1(const bf16* w, const bf16* x, void* y, int n, int k, int outputFloat)
{
    int warp = threadIdx.x / WARP, lane = threadIdx.x % WARP;
    int output = blockIdx.x * GEMV_WARPS + warp;
    if (output >= n) return;
    const uint4* row = (const uint4*)(w + (long long)output * k);
    const uint4* input = (const uint4*)x;
    int vectors = k / 8, c = lane;
    float acc = 0.f;
    for (; c + 7 * WARP < vectors; c += 8 * WARP)
    {
        uint4 wv[8];
        #pragma unroll
        for (int u = 0; u < 8; u++) wv[u] = __ldcs(row + c + u * WARP);
        #pragma unroll
        for (int u = 0; u < 8; u++) acc += dot8(wv[u], __ldg(input + c + u * WARP));
    }
    for (; c < vectors; c += WARP) acc += dot8(__ldcs(row + c), __ldg(input + c));
    acc = warp_sum(acc);
    if (lane == 0)
    {
        if (outputFloat) ((float*)y)[output] = acc;
        else ((bf16*)y)[output] = f2bf(acc);
    }
}

// y[t, n] = sum_k w[n, k] x[t, k] for a few rows t (decode): one warp per output n streams its weight row once with
// 16-byte loads and applies it to every row. Memory-bound by design: the weights are read exactly once.
extern "C" __global__ void gemv(const bf16* w, const bf16* x, void* y, int n, int k, int rows, int outputFloat)
{
    int warp = threadIdx.x / WARP, lane = threadIdx.x % WARP;
    int output = blockIdx.x * GEMV_WARPS + warp;
    if (output >= n) return;
    const uint4* weightRow = (const uint4*)(w + (long long)output * k);
    float acc[GEMV_MAX_ROWS];
    #pragma unroll
    for (int t = 0; t < GEMV_MAX_ROWS; t++) acc[t] = 0.f;
    int vectors = k / 8;
    #pragma unroll 4
    for (int c = lane; c < vectors; c += WARP)
    {
        uint4 packed = __ldg(weightRow + c);
        float wv[8];
        wv[0] = __uint_as_float(packed.x << 16); wv[1] = __uint_as_float(packed.x & 0xffff0000u);
        wv[2] = __uint_as_float(packed.y << 16); wv[3] = __uint_as_float(packed.y & 0xffff0000u);
        wv[4] = __uint_as_float(packed.z << 16); wv[5] = __uint_as_float(packed.z & 0xffff0000u);
        wv[6] = __uint_as_float(packed.w << 16); wv[7] = __uint_as_float(packed.w & 0xffff0000u);
        #pragma unroll
        for (int t = 0; t < GEMV_MAX_ROWS; t++)
        {
            if (t >= rows) break;
            uint4 xp = __ldg((const uint4*)(x + (long long)t * k) + c);
            acc[t] += wv[0] * __uint_as_float(xp.x << 16) + wv[1] * __uint_as_float(xp.x & 0xffff0000u)
                    + wv[2] * __uint_as_float(xp.y << 16) + wv[3] * __uint_as_float(xp.y & 0xffff0000u)
                    + wv[4] * __uint_as_float(xp.z << 16) + wv[5] * __uint_as_float(xp.z & 0xffff0000u)
                    + wv[6] * __uint_as_float(xp.w << 16) + wv[7] * __uint_as_float(xp.w & 0xffff0000u);
        }
    }
    #pragma unroll
    for (int t = 0; t < GEMV_MAX_ROWS; t++)
    {
        if (t >= rows) break;
        float s = warp_sum(acc[t]);
        if (lane == 0)
        {
            if (outputFloat) ((float*)y)[(long long)t * n + output] = s;
            else ((bf16*)y)[(long long)t * n + output] = f2bf(s);
        }
    }
}

// Picks each row's next token from its logits: argmax (lowest index among equals) when temperature is 0, else a draw
// from softmax(logits / temperature) restricted to the top-p nucleus, using the row's uniform number from the host.
// params per row: temperature, top_p, uniform in [0, 1). One block of 1024 threads per row.
#define SAMPLE_THREADS 1024
extern "C" __global__ void sample(const float* logits, int vocab, const float* params, int* tokens)
{
    int row = blockIdx.x;
    const float* l = logits + (long long)row * vocab;
    float temperature = params[row * 3], topP = params[row * 3 + 1], uniform = params[row * 3 + 2];
    __shared__ float bestValue[32];
    __shared__ int bestIndex[32];
    __shared__ float chunkMass[SAMPLE_THREADS];
    int lane = threadIdx.x % WARP, warp = threadIdx.x / WARP;

    // argmax with the lowest index among ties
    float value = NEG_INF;
    int index = 0x7fffffff;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x)
        if (l[i] > value) { value = l[i]; index = i; }
    for (int o = WARP / 2; o > 0; o >>= 1)
    {
        float ov = __shfl_xor_sync(0xffffffffu, value, o);
        int oi = __shfl_xor_sync(0xffffffffu, index, o);
        if (ov > value || (ov == value && oi < index)) { value = ov; index = oi; }
    }
    if (lane == 0) { bestValue[warp] = value; bestIndex[warp] = index; }
    __syncthreads();
    if (threadIdx.x == 0)
    {
        for (int w = 1; w < blockDim.x / WARP; w++)
            if (bestValue[w] > bestValue[0] || (bestValue[w] == bestValue[0] && bestIndex[w] < bestIndex[0]))
            {
                bestValue[0] = bestValue[w];
                bestIndex[0] = bestIndex[w];
            }
    }
    __syncthreads();
    float maximum = bestValue[0];
    if (temperature <= 0.f || topP <= 0.f)
    {
        if (threadIdx.x == 0) tokens[row] = bestIndex[0];
        return;
    }

    float z = 0.f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) z += __expf((l[i] - maximum) / temperature);
    z = block_sum(z);

    // The nucleus is every token whose probability is at least a threshold: the largest one whose mass reaches top_p.
    float threshold = 0.f;
    if (topP < 1.f)
    {
        float low = 0.f, high = 1.f / z; // the most likely token's probability
        for (int iteration = 0; iteration < 32; iteration++)
        {
            float middle = 0.5f * (low + high);
            float mass = 0.f;
            for (int i = threadIdx.x; i < vocab; i += blockDim.x)
            {
                float p = __expf((l[i] - maximum) / temperature) / z;
                if (p >= middle) mass += p;
            }
            mass = block_sum(mass);
            if (mass >= topP) low = middle; else high = middle;
        }
        threshold = low;
    }

    // Draw in token order: each thread owns a contiguous chunk; thread 0 walks the chunks' masses.
    int chunk = (vocab + blockDim.x - 1) / blockDim.x;
    int begin = threadIdx.x * chunk, end = min(vocab, begin + chunk);
    float mass = 0.f;
    for (int i = begin; i < end; i++)
    {
        float p = __expf((l[i] - maximum) / temperature) / z;
        if (p >= threshold) mass += p;
    }
    chunkMass[threadIdx.x] = mass;
    __syncthreads();
    __shared__ int chosenChunk;
    __shared__ float remaining;
    if (threadIdx.x == 0)
    {
        float total = 0.f;
        for (int c = 0; c < blockDim.x; c++) total += chunkMass[c];
        float target = uniform * total;
        int c = 0, last = -1;
        for (; c < blockDim.x; c++)
        {
            if (chunkMass[c] > 0.f) last = c;
            if (target < chunkMass[c]) break;
            target -= chunkMass[c];
        }
        if (c == blockDim.x) { c = last; target = chunkMass[last]; } // rounding left the target past the end
        chosenChunk = c;
        remaining = target;
    }
    __syncthreads();
    if (threadIdx.x == chosenChunk)
    {
        float target = remaining;
        int chosen = -1;
        for (int i = begin; i < end; i++)
        {
            float p = __expf((l[i] - maximum) / temperature) / z;
            if (p < threshold) continue;
            chosen = i;
            if (target < p) break;
            target -= p;
        }
        tokens[row] = chosen;
    }
}
