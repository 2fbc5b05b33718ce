using VoiceBridge.Tests.Support;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>The guard on a fake clock: every wait bounded, every failure a <see cref="ChatProviderException"/>.</summary>
public sealed class GuardedChatClientTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task No_first_update_in_time_is_a_stall()
    {
        using var guard = Guard(Stream(stallAfter: 0));
        await using var updates = guard.GetStreamingResponseAsync([]).GetAsyncEnumerator();

        var next = updates.MoveNextAsync().AsTask();
        _time.Advance(TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => next.WaitAsync(Bound));
        Assert.Equal((ChatFailure.Stalled, "test"), (error.Failure, error.Provider));
        Assert.Contains("3000 ms", error.Message);
    }

    [Fact]
    public async Task A_gap_between_updates_is_a_stall_but_the_consumers_own_time_is_not()
    {
        using var guard = Guard(Stream(stallAfter: 2));
        await using var updates = guard.GetStreamingResponseAsync([]).GetAsyncEnumerator();

        Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(Bound));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(Bound));
        var next = updates.MoveNextAsync().AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => next.WaitAsync(Bound));
        Assert.Equal(ChatFailure.Stalled, error.Failure);
        Assert.Contains("2000 ms", error.Message);
    }

    [Fact]
    public async Task A_stream_without_a_finish_reason_is_truncated()
    {
        using var guard = Guard(Stream(finish: false));

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => Drain(guard));

        Assert.Equal(ChatFailure.Truncated, error.Failure);
    }

    [Fact]
    public async Task A_finished_stream_passes_through_with_the_default_token_cap()
    {
        ChatOptions? seen = null;
        var callerOptions = new ChatOptions();
        using var guard = Guard(Stream(onStart: o => seen = o));

        var updates = await Drain(guard, callerOptions);

        Assert.Equal(["one", " two", ""], updates.Select(u => u.Text));
        Assert.Equal(400, seen!.MaxOutputTokens);
        Assert.Null(callerOptions.MaxOutputTokens);
    }

    [Theory]
    [InlineData("json", ChatFailure.MalformedOutput)]
    [InlineData("io", ChatFailure.ConnectionLost)]
    public async Task Provider_exceptions_are_translated(string kind, ChatFailure failure)
    {
        Exception thrown = kind == "json" ? new JsonException("bad chunk") : new IOException("reset");
        using var guard = Guard(Stream(throwAfter: (1, thrown)));

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => Drain(guard));

        Assert.Equal(failure, error.Failure);
        Assert.Same(thrown, error.InnerException);
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        using var guard = Guard(Stream(stallAfter: 0));
        using var cancel = new CancellationTokenSource();
        await using var updates = guard.GetStreamingResponseAsync([], cancellationToken: cancel.Token).GetAsyncEnumerator();

        var next = updates.MoveNextAsync().AsTask();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Bound));
    }

    private GuardedChatClient Guard(Func<ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> stream) =>
        new(new FakeChat(stream), "test", new ChatProviderOptions { Time = _time });

    private static async Task<List<ChatResponseUpdate>> Drain(IChatClient client, ChatOptions? options = null)
    {
        using var bound = new CancellationTokenSource(Bound);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([], options, bound.Token))
        {
            updates.Add(update);
        }

        return updates;
    }

    /// <summary>"one", " two", then a finish; optionally stalling or throwing after some updates.</summary>
    private static Func<ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> Stream(
        int stallAfter = -1, bool finish = true, (int After, Exception Error)? throwAfter = null, Action<ChatOptions?>? onStart = null)
    {
        return (options, cancellationToken) => Updates(options, cancellationToken);

        async IAsyncEnumerable<ChatResponseUpdate> Updates(ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            onStart?.Invoke(options);
            string[] words = ["one", " two"];
            for (var i = 0; i <= words.Length; i++)
            {
                if (i == stallAfter)
                {
                    await VirtualTime.UntilCancelled(cancellationToken);
                }

                if (throwAfter is { } t && i == t.After)
                {
                    throw t.Error;
                }

                if (i < words.Length)
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, words[i]);
                }
                else if (finish)
                {
                    yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop };
                }
            }
        }
    }

    private sealed class FakeChat(Func<ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> stream) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            stream(options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
