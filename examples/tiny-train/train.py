#!/usr/bin/env python3
"""tiny-train: a training loop small enough to read, for trying sortie with a Hydra app.

Fits a one-hidden-layer network to a synthetic two-class problem with the Python standard
library only, and prints the loss and accuracy after every step.

With Hydra installed, Hydra composes the config from conf/ as usual. Without it (a bare
Debian python3 on a cluster), a small stand-in defined below reads conf/ and the
command-line overrides itself; README.md says exactly what it supports.
"""

import math
import os
import random
import sys
import time

try:
    import hydra
except ImportError:
    hydra = None


# The Hydra stand-in, used only when `import hydra` fails.


class _Config(dict):
    """A dict whose keys also read as attributes (cfg.optimizer.lr), as Hydra's configs do."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _scalar(text):
    """A YAML scalar: quoted string, null, true/false, int, float, else the text."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text.lower() in ("null", "~", ""):
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _read_yaml(path):
    """Reads the YAML subset conf/ uses: nested mappings by indentation, `- item` lists of
    scalars or one-key mappings, comments, and the `# @package` header.
    Returns (package or None, the mapping)."""
    package, root = None, _Config()
    stack = [(-1, root)]  # open containers, each with the indent of the key that holds it
    pending = None  # (indent, parent, key) of a `key:` whose value is on the next lines
    with open(path, encoding="utf-8") as lines:
        for raw in lines:
            if raw.startswith("# @package"):
                package = raw.split()[2]
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            line = raw.split(" #")[0].rstrip()
            indent = len(line) - len(line.lstrip())
            item = line.strip()
            while indent <= stack[-1][0]:
                stack.pop()
            if pending is not None:
                parent_indent, parent, key = pending
                pending = None
                if indent > parent_indent:
                    parent[key] = [] if item.startswith("- ") else _Config()
                    stack.append((parent_indent, parent[key]))
            container = stack[-1][1]
            if item.startswith("- "):
                entry = item[2:].strip()
                if ": " in entry:
                    key, value = entry.split(": ", 1)
                    container.append({key.strip(): _scalar(value)})
                else:
                    container.append(_scalar(entry))
                continue
            key, _, value = item.partition(":")
            key = key.strip()
            container[key] = _scalar(value) if value.strip() else None
            if not value.strip():
                pending = (indent, container, key)
    return package, root


def _merge(into, source):
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = _Config(value) if isinstance(value, dict) else value


def _compose(conf_dir, config_name, arguments):
    """Hydra's composition for this example's shape of config: one primary config whose
    defaults list chooses one option per group, group configs at their group's package or at
    `_global_`, `override /group: option` in group configs, then `key=value` and
    `+key=value` overrides of plain config keys."""

    def load(group, option):
        return _read_yaml(os.path.join(conf_dir, group, f"{option}.yaml"))

    _, primary = _read_yaml(os.path.join(conf_dir, f"{config_name}.yaml"))
    order, choices = [], {}
    for entry in primary.pop("defaults", None) or []:
        if entry == "_self_":
            order.append("_self_")
        else:
            ((group, option),) = entry.items()
            order.append(group)
            choices[group] = option
    if "_self_" not in order:
        order.append("_self_")

    chosen_here, key_overrides = set(), []
    for argument in arguments:
        if argument in ("-m", "--multirun") or argument.startswith("-"):
            sys.exit(f"train.py without Hydra does not support {argument}: install hydra-core")
        key, equals, value = argument.partition("=")
        if not equals:
            sys.exit(f"train.py: expected key=value, got {argument!r}")
        append = key.startswith("+")
        key = key.lstrip("+")
        if key.startswith("hydra.") or key.startswith("hydra/"):
            print(f"ignoring {argument}: Hydra's own settings need Hydra")
        elif os.path.isdir(os.path.join(conf_dir, key)):
            if key not in choices:
                order.append(key)  # `+experiment=fast` comes after the primary's entries
            choices[key] = value
            chosen_here.add(key)
        else:
            key_overrides.append((key, _scalar(value), append))

    # `override /model: large` in a chosen config changes the choice, unless the command line
    # made it.
    for group in [group for group in order if group != "_self_"]:
        _, body = load(group, choices[group])
        for entry in body.get("defaults") or []:
            ((key, option),) = entry.items()
            name = key.split()[-1].lstrip("/")
            if key.startswith("override ") and name not in chosen_here:
                choices[name] = option

    cfg = _Config()
    for group in order:
        if group == "_self_":
            _merge(cfg, primary)
            continue
        if choices[group] is None:
            continue
        package, body = load(group, choices[group])
        body.pop("defaults", None)
        _merge(cfg, body if package == "_global_" else {group: body})

    for key, value, append in key_overrides:
        *parents, last = key.split(".")
        node = cfg
        for part in parents:
            node = node.setdefault(part, _Config())
        if last not in node and not append:
            sys.exit(f"Could not override '{key}'.\nTo append to your config use +{key}={value}")
        node[last] = value
    return cfg


class _StandInHydra:
    """The part of Hydra this script uses: main(), composing from conf/ and sys.argv."""

    @staticmethod
    def main(config_path=None, config_name=None, version_base=None):
        def decorate(task):
            def run():
                here = os.path.dirname(os.path.abspath(__file__))
                return task(_compose(os.path.join(here, config_path), config_name, sys.argv[1:]))

            return run

        return decorate


if hydra is None:
    hydra = _StandInHydra()


# The training itself.


def make_data(count, noise, rng):
    """Points in the plane, labelled by which side of the line x + y = 0 they fall on."""
    data = []
    for _ in range(count):
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        label = 1.0 if x + y > 0 else 0.0
        data.append(((x + rng.gauss(0, noise), y + rng.gauss(0, noise)), label))
    return data


def forward(params, point):
    hidden = [math.tanh(w[0] * point[0] + w[1] * point[1] + b)
              for w, b in zip(params["w1"], params["b1"])]
    logit = sum(w * h for w, h in zip(params["w2"], hidden)) + params["b2"]
    return hidden, 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def loss_and_gradients(params, data):
    """Mean binary cross-entropy, accuracy, and the gradients of the loss."""
    size = len(params["w2"])
    grads = {"w1": [[0.0, 0.0] for _ in range(size)], "b1": [0.0] * size,
             "w2": [0.0] * size, "b2": 0.0}
    loss, correct = 0.0, 0
    for point, label in data:
        hidden, prob = forward(params, point)
        loss -= label * math.log(prob + 1e-12) + (1 - label) * math.log(1 - prob + 1e-12)
        correct += (prob > 0.5) == (label == 1.0)
        delta = (prob - label) / len(data)
        grads["b2"] += delta
        for i, h in enumerate(hidden):
            grads["w2"][i] += delta * h
            back = delta * params["w2"][i] * (1 - h * h)
            grads["b1"][i] += back
            grads["w1"][i][0] += back * point[0]
            grads["w1"][i][1] += back * point[1]
    return loss / len(data), correct / len(data), grads


def flatten(tree):
    if isinstance(tree, list):
        return [x for item in tree for x in flatten(item)]
    if isinstance(tree, dict):
        return [x for key in sorted(tree) for x in flatten(tree[key])]
    return [tree]


def unflatten(like, values):
    if isinstance(like, list):
        return [unflatten(item, values) for item in like]
    if isinstance(like, dict):
        return {key: unflatten(like[key], values) for key in sorted(like)}
    return values.pop(0)


class Optimizer:
    """SGD with momentum, or Adam, over a flat list of parameters."""

    def __init__(self, cfg, count):
        self.name, self.lr = cfg.name, float(cfg.lr)
        self.momentum = float(cfg.get("momentum", 0.0))
        self.beta1, self.beta2 = float(cfg.get("beta1", 0.9)), float(cfg.get("beta2", 0.999))
        self.first, self.second, self.steps = [0.0] * count, [0.0] * count, 0

    def step(self, values, grads):
        self.steps += 1
        updated = []
        for i, (value, grad) in enumerate(zip(values, grads)):
            if self.name == "adam":
                self.first[i] = self.beta1 * self.first[i] + (1 - self.beta1) * grad
                self.second[i] = self.beta2 * self.second[i] + (1 - self.beta2) * grad * grad
                first = self.first[i] / (1 - self.beta1 ** self.steps)
                second = self.second[i] / (1 - self.beta2 ** self.steps)
                updated.append(value - self.lr * first / (math.sqrt(second) + 1e-8))
            else:
                self.first[i] = self.momentum * self.first[i] + grad
                updated.append(value - self.lr * self.first[i])
        return updated


def wandb_says(line):
    """One of wandb's terminal lines: wandb writes them on stderr, never on stdout."""
    print(f"wandb: {line}", file=sys.stderr, flush=True)


def announce_wandb_run():
    """Prints what `wandb.init()` prints, so sortie's W&B links show without an account (the
    links lead nowhere). The run id is the SLURM job's: `ARRAY-TASK` for a sweep's task."""
    array = os.environ.get("SLURM_ARRAY_JOB_ID")
    if array:
        run_id = f"{array}-{os.environ.get('SLURM_ARRAY_TASK_ID', '0')}"
    else:
        run_id = os.environ.get("SLURM_JOB_ID", "local")
    project = "https://wandb.ai/sortie-examples/tiny-train"
    run = {"name": f"tiny-train-{run_id}", "url": f"{project}/runs/{run_id}"}
    wandb_says("Currently logged in as: researcher (sortie-examples). "
               "Use `wandb login --relogin` to force relogin")
    wandb_says("Tracking run with wandb version 0.17.0")
    wandb_says(f"Run data is saved locally in {os.getcwd()}/wandb/run-{run_id}")
    wandb_says("Run `wandb offline` to turn off syncing.")
    wandb_says(f"Syncing run {run['name']}")
    wandb_says(f"\u2B50\uFE0F View project at {project}")
    wandb_says(f"\U0001F680 View run at {run['url']}")
    return run


@hydra.main(config_path="conf", config_name="config", version_base=None)
def main(cfg):
    print(f"config: {cfg}")
    rng = random.Random(cfg.seed)
    data = make_data(int(cfg.data.samples), float(cfg.data.noise), rng)
    size = int(cfg.model.hidden)
    params = {"w1": [[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(size)],
              "b1": [0.0] * size, "w2": [rng.gauss(0, 0.5) for _ in range(size)], "b2": 0.0}
    optimizer = Optimizer(cfg.optimizer, len(flatten(params)))
    run = announce_wandb_run()
    # `+step_seconds=2` slows every step down, to watch a job run.
    step_seconds = float(cfg.get("step_seconds") or 0)
    for step in range(1, int(cfg.steps) + 1):
        loss, accuracy, grads = loss_and_gradients(params, data)
        params = unflatten(params, optimizer.step(flatten(params), flatten(grads)))
        print(f"step {step}/{cfg.steps} loss {loss:.4f} accuracy {accuracy:.3f}", flush=True)
        time.sleep(step_seconds)
    loss, accuracy, _ = loss_and_gradients(params, data)
    print(f"done: model={cfg.model.name} optimizer={cfg.optimizer.name} lr={cfg.optimizer.lr} "
          f"final loss {loss:.4f} accuracy {accuracy:.3f}")
    wandb_says(f"\U0001F680 View run {run['name']} at: {run['url']}")


if __name__ == "__main__":
    main()
