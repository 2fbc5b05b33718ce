using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Audit;
using VoiceBridge.Cli;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Scale;

/// <summary><c>serve</c>'s scale-out options: Redis needs a checkpoint key or an explicit plaintext choice, keys are checked, an unreachable Redis stops the start.</summary>
public sealed class ScaleOutSettingsTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "--redis", "127.0.0.1:6379" }, "give a key to encrypt them (--checkpoint-key, VOICEBRIDGE_CHECKPOINT_KEY or VOICEBRIDGE_CHECKPOINT_KEY_FILE), or --checkpoint-plaintext")]
    [InlineData(new[] { "--redis", "127.0.0.1:6379", "--checkpoint-plaintext" }, null)]
    [InlineData(new[] { "--redis", "127.0.0.1:6379", "--checkpoint-key", "c2hvcnQ=" }, "--checkpoint-key: the checkpoint key is 5 bytes; it must be 32")]
    [InlineData(new[] { "--checkpoint-key", "%%%" }, "--checkpoint-key: the checkpoint key is not base64")]
    public void Redis_without_a_key_or_a_bad_key_is_a_configuration_error(string[] args, string? error)
    {
        var errors = Read(args, out _);

        if (error is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(error, Assert.Single(errors), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_good_key_is_taken()
    {
        Assert.Empty(Read(["--redis", "127.0.0.1:6379", "--checkpoint-key", Key, "--node-name", "node-a"], out _));
    }

    [Fact]
    public async Task An_unreachable_redis_stops_serve_from_starting()
    {
        Assert.Empty(Read(["--redis", $"127.0.0.1:{PostgresServer.FreeLoopbackPort()}", "--checkpoint-key", Key], out var settings));
        await using var health = new ProviderHealth(new ProviderHealthOptions(), TimeProvider.System);

        await using var running = await settings.StartAsync(health, ChainSpec.Parse("local"), NullAuditLog.Instance, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Null(running);
    }

    [Fact]
    public async Task Without_redis_the_node_keeps_checkpoints_in_memory()
    {
        Assert.Empty(Read(["--node-name", "solo"], out var settings));
        await using var health = new ProviderHealth(new ProviderHealthOptions(), TimeProvider.System);

        await using var running = await settings.StartAsync(health, ChainSpec.Parse("local"), NullAuditLog.Instance, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal("solo", running!.Checkpoints.Node);
    }

    private static List<string> Read(string[] args, out ScaleOutSettings settings)
    {
        settings = new ScaleOutSettings();
        var command = new RootCommand();
        settings.AddTo(command);
        var errors = new List<string>();
        settings.Read(command.Parse(args), errors);
        return errors;
    }
}
