namespace VoiceBridge.Audit;

/// <summary>
/// The audit log cannot be opened or read: a bad connection string, a server that cannot be
/// reached or refuses us, a database that cannot be read. The message says which and where, and
/// never carries a password.
/// </summary>
public sealed class AuditStoreException(string message, Exception? inner) : Exception(message, inner)
{
    /// <summary>The messages of an exception and its inner exceptions, each once: "Failed to connect to 127.0.0.1:1: Connection refused".</summary>
    public static string Reasons(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (!messages.Contains(x.Message))
            {
                messages.Add(x.Message);
            }
        }

        return string.Join(": ", messages.Select((m, i) => i < messages.Count - 1 ? m.TrimEnd('.') : m));
    }
}
