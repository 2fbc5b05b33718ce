using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Simulator.Chat;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>
/// Bad provider output through the real SDKs: each surfaces from the streaming enumeration as a
/// <see cref="ChatProviderException"/>, never a hang (every wait is bounded).
/// </summary>
[Trait("Category", "Interop")]
public sealed class ChatSimulatorFaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Providers => new() { "openai", "anthropic" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Http_500_is_unavailable(string provider)
    {
        var error = await FailAsync(provider, ChatFault.Http(500));

        Assert.Equal((ChatFailure.Unavailable, 500, provider), (error.Failure, error.StatusCode, error.Provider));
        Assert.Contains("simulated HTTP 500", error.Message);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Http_429_is_rate_limited_with_retry_after(string provider)
    {
        var error = await FailAsync(provider, ChatFault.Http(429, TimeSpan.FromSeconds(7)));

        Assert.Equal((ChatFailure.RateLimited, 429), (error.Failure, error.StatusCode));
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_malformed_sse_line_is_malformed_output(string provider) =>
        Assert.Equal(ChatFailure.MalformedOutput, (await FailAsync(provider, ChatFault.InStream(ChatFaultKind.MalformedLine, 4))).Failure);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_connection_closed_mid_stream_is_connection_lost(string provider) =>
        Assert.Equal(ChatFailure.ConnectionLost, (await FailAsync(provider, ChatFault.InStream(ChatFaultKind.Disconnect, 4))).Failure);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_stream_ended_early_is_truncated(string provider) =>
        Assert.Equal(ChatFailure.Truncated, (await FailAsync(provider, ChatFault.InStream(ChatFaultKind.Truncate, 4))).Failure);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_stall_mid_stream_is_detected_on_the_guards_clock(string provider)
    {
        var clock = new FakeTimeProvider();
        await using var host = await ChatSimulatorHost.StartAsync();
        using var client = host.Client(provider, new ChatProviderOptions { Time = clock });
        var struck = host.Simulator.Control.InjectFault(ChatFault.InStream(ChatFaultKind.Stall, 4));

        var reply = new DialogHarness(client).SayAsync("What are your opening hours?");
        await struck.WaitAsync(Bound);
        using var deadline = new CancellationTokenSource(Bound);
        while (!reply.IsCompleted && !deadline.IsCancellationRequested)
        {
            clock.Advance(TimeSpan.FromSeconds(1));

            // Wait for the reply itself (bounded), so the guard can re-arm on the real socket's last frames.
            await Task.WhenAny(reply, reply.WaitAsync(TimeSpan.FromMilliseconds(20)).ContinueWith(_ => { }, TaskScheduler.Default));
        }

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => reply.WaitAsync(Bound));
        Assert.Equal(ChatFailure.Stalled, error.Failure);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_refused_connection_is_unavailable(string provider)
    {
        using var http = new HttpClient();
        using var client = provider == "openai"
            ? ChatClients.OpenAi(new Uri("http://127.0.0.1:1/v1"), "sk-test", "gpt-4o-mini", http)
            : ChatClients.Anthropic(new Uri("http://127.0.0.1:1"), "sk-test", "claude-haiku-4-5", http);

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => new DialogHarness(client).SayAsync("Hi").WaitAsync(Bound));

        Assert.Equal((ChatFailure.Unavailable, null), (error.Failure, error.StatusCode));
    }

    [Fact]
    public async Task A_fault_strikes_once_and_the_next_request_is_served()
    {
        await using var host = await ChatSimulatorHost.StartAsync();
        using var client = host.Client("openai");
        var struck = host.Simulator.Control.InjectFault(ChatFault.Http(503));

        await Assert.ThrowsAsync<ChatProviderException>(() => new DialogHarness(client).SayAsync("Hi").WaitAsync(Bound));
        var reply = await new DialogHarness(client).SayAsync("Goodbye").WaitAsync(Bound);

        Assert.True(struck.IsCompletedSuccessfully);
        Assert.Equal("Thank you for calling Bright Smile Dental. Goodbye!", reply.Text);
    }

    private static async Task<ChatProviderException> FailAsync(string provider, ChatFault fault)
    {
        await using var host = await ChatSimulatorHost.StartAsync();
        using var client = host.Client(provider);
        var struck = host.Simulator.Control.InjectFault(fault);

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => new DialogHarness(client).SayAsync("What are your opening hours?").WaitAsync(Bound));

        await struck.WaitAsync(Bound);
        return error;
    }
}
