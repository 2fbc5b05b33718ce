using System.Text;

namespace VoiceBridge.Transport;

/// <summary>
/// Reads at most a bounded number of bytes of an HTTP response body (an error page from a provider
/// or a proxy can be any size): the rest is left unread and the text says it was cut.
/// </summary>
public static class CappedBody
{
    /// <summary>What an error body may cost to read [64 KiB]: enough for any provider's JSON error.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    /// <summary>The body's first <paramref name="maxBytes"/> bytes as UTF-8 (invalid bytes replaced), with " [cut at N bytes]" when there was more.</summary>
    public static async Task<string> ReadAsync(HttpContent content, CancellationToken cancellationToken, int maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes + 1];
        var read = 0;
        int n;

        // Not ReadAtLeastAsync: it awaits with ConfigureAwait(false), which would leave the virtual-time loop.
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        return read > maxBytes
            ? Encoding.UTF8.GetString(buffer, 0, maxBytes) + $" [cut at {maxBytes} bytes]"
            : Encoding.UTF8.GetString(buffer, 0, read);
    }
}
