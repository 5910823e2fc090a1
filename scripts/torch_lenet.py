"""LeNet-5 as PyTorch users write it, for the repo's LeNet scripts (the reference run, the fixtures
of examples/lenet's tests, the check that PyTorch loads the example's best.safetensors).

Needs Debian's python3-torch (1.13): run the scripts with /usr/bin/python3. The tests never run them.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class LeNet(nn.Module):
    """conv1 (1→6, 5×5, padding 2) → ReLU → max pool 2 → conv2 (6→16, 5×5) → ReLU → max pool 2
    → flatten → fc1 400→120 → ReLU → fc2 120→84 → ReLU → fc3 84→10 (logits)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def images(x):
    """uint8 [N, 784] → float [N, 1, 28, 28] through ToTensor and Normalize(0.5, 0.5)."""
    return x.float().div(255).sub(0.5).div(0.5).reshape(-1, 1, 28, 28)


def loader(x, y, batch_size, shuffle):
    return DataLoader(TensorDataset(images(x), y), batch_size=batch_size, shuffle=shuffle)


def count_correct(net, data_loader):
    """(correct, total) over a loader, as the PyTorch tutorial counts them."""
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in data_loader:
            predicted = net(inputs).argmax(1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return correct, total
